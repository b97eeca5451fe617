/**
 * The --drift-scan-interval setting: default 10m, 0 disables, durations from the flag (as commander
 * passes it, camelCased) or BULWARK_DRIFT_SCAN_INTERVAL, and the schema's bounds (1s..24h).
 */
import assert from 'node:assert/strict';
import { flagProperty, resolveOptions } from '../../../webhook/config/options.js';

describe('controllers: the --drift-scan-interval setting', () => {
  const rows: Array<{ name: string; flags?: Record<string, unknown>; env?: Record<string, string>; want: number | RegExp }> = [
    { name: 'default 10m', want: 600_000 },
    { name: 'flag as commander passes it', flags: { driftScanInterval: '2s' }, want: 2_000 },
    { name: 'environment variable', env: { BULWARK_DRIFT_SCAN_INTERVAL: '1h' }, want: 3_600_000 },
    { name: 'flag wins over the environment', flags: { driftScanInterval: '30s' }, env: { BULWARK_DRIFT_SCAN_INTERVAL: '1h' }, want: 30_000 },
    { name: '0 disables', flags: { driftScanInterval: '0' }, want: 0 },
    { name: '0s disables', env: { BULWARK_DRIFT_SCAN_INTERVAL: '0s' }, want: 0 },
    { name: 'below 1s is refused', flags: { driftScanInterval: '500ms' }, want: /--drift-scan-interval .*must be >= 1000/ },
    { name: 'above 24h is refused', flags: { driftScanInterval: '25h' }, want: /--drift-scan-interval .*must be <= 86400000/ },
    { name: 'not a duration is refused', env: { BULWARK_DRIFT_SCAN_INTERVAL: 'often' }, want: /--drift-scan-interval .*must be a duration/ },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const run = () => resolveOptions(r.flags ?? {}, r.env ?? {}).driftScanIntervalMs;
      if (r.want instanceof RegExp) assert.throws(run, r.want);
      else assert.equal(run(), r.want);
    });
  }

  it('maps flags to the property commander uses', () => {
    assert.deepEqual(['--drift-scan-interval', '--shutdown-timeout', '--port'].map(flagProperty), ['driftScanInterval', 'shutdownTimeout', 'port']);
  });
});
