import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planSources } from '../../app/audio/guided-separation.js';
import { validateHostCall } from '../../app/host-api-validation.js';
import { GuideSet, MIN_RANGE_SECONDS } from '../../renderer/audio/guide-set.js';

// Guided mode's state in the audio workspace (renderer/audio/guide-set.ts): the ranges and clips
// the user marks become the host's SeparationGuide list, which the host validates and the engine
// maps onto source positions (guided-separation.ts planSources).

describe('GuideSet', () => {
  it('keeps ranges ordered and inside the recording, refusing clicks without a drag', () => {
    const guides = new GuideSet(4);
    assert.equal(guides.addRange(1, 1 + MIN_RANGE_SECONDS / 2), null, 'too short');
    const range = guides.addRange(3.5, -1)!;
    assert.deepEqual([range.start, range.end, range.source], [0, 3.5, null]);
    assert.equal(guides.selected, range.id, 'a new range is selected');
    assert.equal(guides.setBounds(range.id, 2, 1), false, 'reversed bounds are refused');
    assert.equal(guides.setBounds(range.id, 0.5, 9), true);
    assert.deepEqual([range.start, range.end], [0.5, 4]);
    assert.equal(guides.rangeAt(1)?.id, range.id);
    assert.equal(guides.rangeAt(0.2), null);
    guides.removeRange(range.id);
    assert.equal(guides.selected, null);
    assert.equal(guides.ranges.length, 0);
  });

  it('gives the host one guide per lane, pinned to its position, with only assigned ranges', () => {
    const guides = new GuideSet(10);
    const solo = guides.addRange(0, 1)!;
    guides.addRange(2, 3); // never assigned: not sent
    const other = guides.addRange(5, 6)!;
    guides.assign(solo.id, 2);
    guides.assign(other.id, 2);
    guides.addClip('clip-id', 'voice.wav', 0);
    const hostGuides = guides.toHostGuides();
    assert.deepEqual(hostGuides, [
      { source: 'source-1', clipFileIds: ['clip-id'] },
      { source: 'source-3', ranges: [{ start: 0, end: 1 }, { start: 5, end: 6 }] },
    ]);
    assert.equal(guides.describe(), '2 ranges and 1 clip');
    // The host accepts them, and the engine puts each guide on the lane it came from.
    validateHostCall('startJob', [{ kind: 'separate', fileId: 'f', sources: 3, components: 9, guides: hostGuides }]);
    const plan = planSources(3, hostGuides.map((g) => ({ source: g.source, ranges: g.ranges ?? [], clips: (g.clipFileIds ?? []).map(() => ({ name: 'c', audio: { sampleRate: 1, channels: [new Float32Array(1)], bitDepth: 16, float: false } })) })));
    assert.deepEqual(plan.names, ['source-1', 'source-2', 'source-3']);
    assert.equal(plan.guides[1], null, 'the middle lane is unguided');
    assert.equal(plan.guides[2]!.ranges.length, 2);
  });

  it('forgets assignments to lanes that no longer exist', () => {
    const guides = new GuideSet(10);
    const range = guides.addRange(0, 1)!;
    guides.assign(range.id, 3);
    guides.addClip('a', 'a.wav', 3);
    guides.addClip('b', 'b.wav', 1);
    guides.keepSources(2);
    assert.equal(range.source, null);
    assert.deepEqual(guides.clips.map((c) => c.fileId), ['b']);
  });
});
