import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultComponents } from '../../app/audio/separate.js';
import { parseCli, UsageError, type CliCommand } from '../../main/cli/cli-args.js';

type Separate = Extract<CliCommand, { command: 'separate' }>;

function separate(...args: string[]): Separate {
  const command = parseCli(['separate', 'mix.wav', '--out', 'out', ...args]);
  assert.equal(command.command, 'separate');
  return command as Separate;
}

function usage(args: string[], message: RegExp): void {
  assert.throws(
    () => parseCli(['separate', 'mix.wav', '--out', 'out', ...args]),
    (error: unknown) => error instanceof UsageError && message.test(error.message),
  );
}

describe('separate: guide flags', () => {
  it('--guide SOURCE=clip.wav and --guide-range SOURCE=START-END[,…], repeatable', () => {
    const c = separate('--sources', '2', '--guide', 'voice=takes/voice solo.wav', '--guide-range', 's2=1.5-3,1:02.25-1:04', '--guide-range', 'voice=0-.5');
    assert.deepEqual(c.guides, [
      { source: 'voice', clip: 'takes/voice solo.wav' },
      { source: 's2', ranges: [{ start: 1.5, end: 3 }, { start: 62.25, end: 64 }] },
      { source: 'voice', ranges: [{ start: 0, end: 0.5 }] },
    ]);
    assert.equal(c.guideComponents, undefined);
    // A path may itself contain '=': only the first one separates the source name.
    assert.equal(separate('--sources', '2', '--guide', 'a=x=y.wav').guides[0]!.clip, 'x=y.wav');
  });

  it('guided separation defaults to defaultComponents (8 per source, K_s = 8 each); --components wins', () => {
    assert.equal(separate('--sources', '3', '--guide-range', 's1=0-1').components, defaultComponents(3));
    assert.equal(defaultComponents(3), 24);
    assert.equal(separate('--sources', '2', '--guide-range', 's1=0-1', '--components', '12', '--guide-components', '5').components, 12);
    assert.equal(separate('--sources', '2', '--guide-range', 's1=0-1', '--guide-components', '5').guideComponents, 5);
    assert.deepEqual(separate('--sources', '2').guides, []);
  });

  it('separation takes --loss is; unmixing does not', () => {
    assert.equal(separate('--sources', '2', '--loss', 'is').loss, 'is');
    assert.throws(() => parseCli(['unmix', 'c.tif', '--endmembers', '3', '--out', 'o', '--loss', 'is']), UsageError);
  });

  it('refuses malformed guides with a usage error', () => {
    usage(['--sources', '2', '--guide', 'clip.wav'], /--guide must be SOURCE=clip\.wav, got 'clip\.wav'/);
    usage(['--sources', '2', '--guide', '=clip.wav'], /--guide must be SOURCE=clip\.wav/);
    usage(['--sources', '2', '--guide', 'my voice=clip.wav'], /the source name 'my voice' must be letters, digits/);
    usage(['--sources', '2', '--guide-range', 's1=3'], /'3' is not START-END/);
    usage(['--sources', '2', '--guide-range', 's1=3-2'], /the range 3-2 ends before it starts/);
    usage(['--sources', '2', '--guide-range', 's1=1:75-2:00'], /is not START-END/);
    usage(['--sources', '2', '--guide-components', '4'], /--guide-components applies to guided separation/);
    usage(['--sources', '2', '--guide-range', 's1=0-1', '--guide-components', '0'], /--guide-components must be an integer between 1/);
  });

  it('guide flags belong to separate only', () => {
    assert.throws(() => parseCli(['unmix', 'c.tif', '--endmembers', '3', '--out', 'o', '--guide', 's1=x.wav']), /--guide does not apply to 'unmix'/);
  });
});
