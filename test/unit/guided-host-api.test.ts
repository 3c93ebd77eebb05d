import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostCallError, validateHostCall } from '../../app/host-api-validation.js';

// Guided separation over a transport (web host, Electron IPC): the guides pass the same checks.
const base = { kind: 'separate', fileId: 'mix', sources: 2, components: 16 } as const;

test('startJob accepts guides and guideComponents, and refuses malformed ones', () => {
  const ok = { ...base, guides: [{ source: 's1', ranges: [{ start: 0, end: 1.5 }] }, { source: 'voice', clipFileIds: ['clip-1'] }], guideComponents: 8 };
  assert.deepEqual(validateHostCall('startJob', [ok]), [ok]);
  const bad = (guides: unknown, message: RegExp): void => {
    assert.throws(() => validateHostCall('startJob', [{ ...base, guides }]), (e: unknown) => e instanceof HostCallError && message.test(e.message));
  };
  bad('s1=0-1', /guides must be an array/);
  bad([null], /each guide must be an object/);
  bad([{ source: '' }], /guide source must be a non-empty string/);
  bad([{ source: 's1', path: '/etc/passwd' }], /unexpected guide field 'path'/);
  bad([{ source: '../x', ranges: [{ start: 0, end: 1 }] }], /guide source '\.\.\/x' must be letters, digits, '-' or '_'/);
  bad([{ source: 's1', clipFileIds: [42] }], /clip file id must be a non-empty string/);
  bad([{ source: 's1', ranges: [{ start: -1, end: 2 }] }], /each range must be \{start, end\}/);
  bad([{ source: 's1', ranges: [{ start: 0, end: Infinity }] }], /each range must be \{start, end\}/);
  assert.throws(() => validateHostCall('startJob', [{ ...base, guideComponents: 0 }]), /guideComponents must be an integer/);
});
