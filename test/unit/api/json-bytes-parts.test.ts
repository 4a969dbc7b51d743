// test/unit/api/json-bytes-parts.test.ts - SelfWritten parts in api/json-bytes.ts: a part's own text lands where its value goes (inside objects and arrays), a part that gives up leaves nothing of what it wrote and its toJSON() value is written instead, and JSON.stringify (the whole-answer fallback) gives the same text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonBytes, SelfWritten, type JsonSink } from '../../../src/api/json-bytes.ts';

/** Writes `{"n":<n>,"h":"<hex>","s":<utf8>}` itself; gives up half-way when `fail`. */
class Part extends SelfWritten {
  constructor(
    readonly n: number,
    readonly text: string,
    readonly fail = false,
  ) {
    super();
  }
  writeJson(sink: JsonSink): boolean {
    const bytes = Buffer.from(this.text, 'utf8');
    sink.raw('{"n":');
    sink.number(this.n);
    sink.raw(',"h":');
    sink.hex(bytes, 0, bytes.length);
    if (this.fail) return false;
    sink.raw(',"s":');
    if (!sink.utf8(bytes, 0, bytes.length)) return false;
    sink.raw(',"t":');
    sink.string(this.text);
    sink.raw('}');
    return true;
  }
  toJSON(): unknown {
    return { n: this.n, h: Buffer.from(this.text, 'utf8').toString('hex'), s: this.text, t: this.text };
  }
}

describe('json-bytes SelfWritten parts', () => {
  for (const text of ['', 'plain', 'quote " and \\ backslash', 'control \u0001\n', 'é€😀', '\ufeffbom']) {
    it(`writes a part's own text in place, exactly as JSON.stringify of its toJSON() (${JSON.stringify(text)})`, () => {
      const value = { a: [new Part(1, text), null, new Part(-7, text)], b: new Part(1e15, text), c: 'x' };
      const want = JSON.stringify(value);
      assert.equal((jsonBytes(value) as Buffer).toString('utf8'), want, 'expected the byte writer to equal JSON.stringify, which calls toJSON()');
    });
  }

  it('discards what a part wrote before it gave up and writes its toJSON() value there', () => {
    const value = [new Part(3, 'abc', true), { deep: new Part(4, 'é"', true) }, new Part(5, 'ok')];
    assert.equal((jsonBytes(value) as Buffer).toString('utf8'), JSON.stringify(value), 'expected no trace of the abandoned writes');
  });

  it('invalid UTF-8 bytes: sink.utf8 refuses them and writes nothing', () => {
    let answered: boolean | undefined;
    class Bad extends SelfWritten {
      writeJson(sink: JsonSink): boolean {
        sink.raw('[');
        answered = sink.utf8(Uint8Array.of(0x61, 0xc3, 0x28), 0, 3);
        return false;
      }
      toJSON(): unknown {
        return 'fallback';
      }
    }
    assert.equal((jsonBytes({ v: new Bad() }) as Buffer).toString('utf8'), '{"v":"fallback"}');
    assert.equal(answered, false, 'expected utf8() to refuse an invalid sequence');
  });
});
