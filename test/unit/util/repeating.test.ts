// test/unit/util/repeating.test.ts - owns the guarded repeating task behind the relay's lazy rounds, the getdata timeout checks and anti-entropy: it runs until stopped, a throwing round is reported and the next still runs, start is idempotent, and it never keeps the process alive.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Repeating } from '../../../src/util/repeating.ts';
import { waitFor } from '../../helpers/wait.ts';

describe('Repeating', () => {
  it('runs every round until stopped; a round that throws is reported and the next one still runs', async () => {
    let rounds = 0;
    const errors: unknown[] = [];
    const r = new Repeating(() => {
      rounds++;
      if (rounds === 1) throw new Error('first round fails');
    }, (err) => errors.push(err));
    r.start(5);
    await waitFor(() => rounds >= 3, { message: 'expected three rounds, the first of which threw' });
    assert.equal(errors.length, 1, 'expected exactly the throwing round reported');
    assert.match(String(errors[0]), /first round fails/);
    r.stop();
    assert.equal(r.running, false);
    const after = rounds;
    // A round still due when stop() ran would show within a few periods; none may come.
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(rounds, after, 'expected no round after stop()');
  });

  it('a second start while running keeps one timer; it can be started again after stop', async () => {
    let rounds = 0;
    const r = new Repeating(() => rounds++, () => assert.fail('no round throws'));
    r.start(5);
    r.start(5);
    await waitFor(() => rounds >= 4, { message: 'expected rounds to run' });
    r.stop();
    const stopped = rounds;
    // Had the second start made a second timer, stop() would leave it running: let a control task tick ten
    // periods and check nothing else ran meanwhile.
    let ticks = 0;
    const control = new Repeating(() => ticks++, () => {});
    control.start(5);
    await waitFor(() => ticks >= 10, { message: 'expected the control task to tick' });
    control.stop();
    assert.equal(rounds, stopped, 'expected no round after stop(): a second start must not leave a timer behind');
    r.start(5);
    assert.equal(r.running, true);
    await waitFor(() => rounds > stopped, { message: 'expected rounds again after a second start' });
    r.stop();
  });

  it('does not keep the process alive (its timer is unref-ed)', () => {
    const r = new Repeating(() => {}, () => {});
    r.start(1_000);
    const timer = (r as unknown as { timer: NodeJS.Timeout }).timer;
    assert.equal(timer.hasRef(), false, 'expected an unref-ed timer');
    r.stop();
  });
});
