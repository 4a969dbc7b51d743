// test/unit/config/operator-keys.test.ts - the edge and admin config keys (issue #19): their rules and cross-key checks, the MEGA_ environment names, and the data-folder check that refuses /proc, files and read-only folders at once.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, envNameOf, parseConfig } from '../../../src/config/load.ts';
import { DataDirError, dataDirOf, ensureDataDir } from '../../../src/daemon/data-dir.ts';
import { addressAllowed } from '../../../src/api/admin.ts';

const problemsOf = (raw: unknown): string[] => {
  try {
    parseConfig(raw);
  } catch (e) {
    assert.equal(e instanceof ConfigError, true);
    return (e as ConfigError).problems;
  }
  return [];
};

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('edge and admin keys', () => {
  it('defaults: no HTTPS, no trusted proxy, public operator endpoints, admin on loopback only', () => {
    const c = parseConfig({});
    assert.deepEqual(
      [c.httpsPort, c.tlsCertPath, c.tlsKeyPath, c.trustProxy, c.operatorEndpoints, c.adminPort, c.adminAddress, c.adminAllowFrom, c.adminCookiePath],
      [null, null, null, [], 'public', null, '127.0.0.1', ['127.0.0.0/8', '::1/128'], null],
    );
  });

  it('httpsPort needs both TLS files', () => {
    assert.deepEqual(problemsOf({ httpsPort: 8443 }), ['httpsPort: needs tlsCertPath and tlsKeyPath (the PEM certificate and key the HTTPS listener serves)']);
    assert.deepEqual(problemsOf({ httpsPort: 8443, tlsCertPath: '/c.pem', tlsKeyPath: '/k.pem' }), []);
    assert.deepEqual(problemsOf({ httpsPort: 70000, tlsCertPath: '/c.pem', tlsKeyPath: '/k.pem' }), ['httpsPort: must be an integer in [0, 65535] or null']);
  });

  it('address lists are checked entry by entry', () => {
    assert.deepEqual(problemsOf({ trustProxy: ['10.0.0.0/8', 'fd00::/8', '192.0.2.1'] }), []);
    assert.deepEqual(problemsOf({ trustProxy: ['10.0.0.0/33'] }), ['trustProxy: [0] must be an IP address or a CIDR range such as "10.0.0.0/8" or "fd00::/8"']);
    assert.deepEqual(problemsOf({ adminAllowFrom: 'loopback' }), ['adminAllowFrom: must be an array of IP addresses or CIDR ranges ("10.0.0.0/8", "::1/128")']);
  });

  it('adminPort must not collide with the other ports; operatorEndpoints is public or admin', () => {
    assert.deepEqual(problemsOf({ adminPort: 8080 }), ['adminPort: must differ from httpPort, httpsPort and p2pPort']);
    assert.deepEqual(problemsOf({ adminPort: 8090 }), []);
    assert.deepEqual(problemsOf({ operatorEndpoints: 'private' }), ['operatorEndpoints: must be one of "public", "admin"']);
  });

  it('every key has its MEGA_ variable', () => {
    assert.equal(envNameOf('trustProxy'), 'MEGA_TRUST_PROXY');
    assert.equal(envNameOf('adminAllowFrom'), 'MEGA_ADMIN_ALLOW_FROM');
    assert.equal(envNameOf('httpsPort'), 'MEGA_HTTPS_PORT');
  });

  it('addressAllowed matches addresses and ranges, IPv4-mapped included, and refuses what is not an address', () => {
    const loop = ['127.0.0.0/8', '::1/128'];
    assert.equal(addressAllowed('127.0.0.1', loop), true);
    assert.equal(addressAllowed('::ffff:127.0.0.5', loop), true);
    assert.equal(addressAllowed('::1', loop), true);
    assert.equal(addressAllowed('192.0.2.2', loop), false);
    assert.equal(addressAllowed('192.0.2.2', [...loop, '192.0.2.0/24']), true);
    assert.equal(addressAllowed('', loop), false);
    assert.equal(addressAllowed('localhost', loop), false);
  });
});

describe('data folder', () => {
  it('fills {p2pPort}', () => {
    assert.equal(dataDirOf({ dataDir: 'data/{p2pPort}', p2pPort: 8334 }), 'data/8334');
    assert.equal(dataDirOf({ dataDir: null, p2pPort: 8334 }), null);
  });

  it('refuses /proc and /sys at once (Node\'s recursive mkdir spins forever there)', () => {
    const t0 = Date.now();
    assert.throws(() => ensureDataDir('/proc/mega/data'), (e: unknown) => e instanceof DataDirError && /\/proc is on procfs/.test(e.message));
    assert.throws(() => ensureDataDir('/proc/self'), /procfs/);
    assert.throws(() => ensureDataDir('/sys/mega'), /sysfs/);
    assert.equal(Date.now() - t0 < 5000, true, 'no hang');
  });

  it('refuses a file in the path and a folder it cannot write; creates missing folders 0700', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-datadir-'));
    dirs.push(d);
    fs.writeFileSync(path.join(d, 'file'), '');
    assert.throws(() => ensureDataDir(path.join(d, 'file')), /exists and is not a directory/);
    assert.throws(() => ensureDataDir(path.join(d, 'file', 'sub')), /a part of the path is a file, not a directory/);
    ensureDataDir(path.join(d, 'a', 'b'));
    assert.equal(fs.statSync(path.join(d, 'a', 'b')).mode & 0o777, 0o700);
  });

  it('refuses a read-only folder (a real read-only tmpfs mount; needs root)', (t) => {
    if (process.getuid?.() !== 0) return t.skip('mounting a read-only tmpfs needs root (CI runs as root)');
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mega-rofs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', d]);
    } catch {
      fs.rmSync(d, { recursive: true, force: true });
      return t.skip('mount -t tmpfs is not permitted here');
    }
    try {
      assert.throws(() => ensureDataDir(d), /not writable \(EROFS\)/);
      assert.throws(() => ensureDataDir(path.join(d, 'sub')), /cannot create .*sub \(EROFS\)/);
    } finally {
      execFileSync('umount', [d]);
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});
