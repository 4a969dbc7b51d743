// test/unit/ohttp/ohttp.test.ts - Oblivious HTTP encapsulation pinned by RFC 9458 Appendix A (an independent Rust implementation's output): key configuration, the exact encapsulated request from the fixed ephemeral key, the gateway opening it, the exact encapsulated response from the fixed nonce, the client opening it; tampering and wrong keys refused; a binary HTTP round trip.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { BHttpDecoder, BHttpEncoder } from 'bhttp-js';
import { decapsulateRequest, decodeKeyConfig, encapsulateRequest, generateGatewayKey, keyConfigFor, OhttpError } from '../../../src/ohttp/ohttp.ts';

const V = JSON.parse(fs.readFileSync(new URL('../../fixtures/ohttp/rfc9458-appendix-a.json', import.meta.url), 'utf8')) as Record<string, string>;
const hex = (s: string | undefined): Uint8Array => new Uint8Array(Buffer.from(s as string, 'hex'));
const toHex = (u: Uint8Array): string => Buffer.from(u).toString('hex');

describe('RFC 9458 Appendix A', () => {
  it('the key configuration of the gateway key: the RFC\'s public key; ours offers only AES-128-GCM', async () => {
    const rfc = decodeKeyConfig(hex(V.keyConfig));
    assert.equal(rfc.keyId, 1);
    const ours = await keyConfigFor(hex(V.gatewayPrivateKey), 1);
    assert.equal(toHex(decodeKeyConfig(ours).publicKey), toHex(rfc.publicKey), 'the public key computed from the RFC private key');
    assert.equal(toHex(ours), `${(V.keyConfig as string).slice(0, 70)}000400010001`, 'the RFC config with one (HKDF-SHA256, AES-128-GCM) pair');
  });

  it('encapsulates the request exactly as the RFC with its ephemeral key, and the gateway opens it', async () => {
    const client = await encapsulateRequest(hex(V.keyConfig), hex(V.bhttpRequest), hex(V.ephemeralPrivateKey));
    assert.equal(toHex(client.encapsulatedRequest), V.encapsulatedRequest, 'encapsulated request must equal the RFC example byte for byte');
    const gw = await decapsulateRequest(hex(V.gatewayPrivateKey), 1, hex(V.encapsulatedRequest));
    assert.equal(toHex(gw.request), V.bhttpRequest);
    const sealed = await gw.sealResponse(hex(V.bhttpResponse), hex(V.responseNonce));
    assert.equal(toHex(sealed), V.encapsulatedResponse, 'encapsulated response must equal the RFC example');
    assert.equal(toHex(await client.openResponse(hex(V.encapsulatedResponse))), V.bhttpResponse, 'the client opens the RFC response');
  });

  it('refuses a flipped byte, another key id and a foreign key', async () => {
    const bad = hex(V.encapsulatedRequest);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    await assert.rejects(decapsulateRequest(hex(V.gatewayPrivateKey), 1, bad), (e: unknown) => e instanceof OhttpError && e.code === 'decrypt-failed');
    await assert.rejects(decapsulateRequest(hex(V.gatewayPrivateKey), 2, hex(V.encapsulatedRequest)), (e: unknown) => e instanceof OhttpError && e.code === 'unknown-key');
    const other = await generateGatewayKey(1);
    await assert.rejects(decapsulateRequest(other.privateKey, 1, hex(V.encapsulatedRequest)), (e: unknown) => e instanceof OhttpError && e.code === 'decrypt-failed');
    const client = await encapsulateRequest(hex(V.keyConfig), hex(V.bhttpRequest));
    const tampered = hex(V.encapsulatedResponse);
    tampered[20] = (tampered[20] as number) ^ 1;
    await assert.rejects(client.openResponse(tampered), (e: unknown) => e instanceof OhttpError);
    assert.throws(() => decodeKeyConfig(hex((V.keyConfig as string).replace(/^010020/, '010010'))), (e: unknown) => e instanceof OhttpError && e.code === 'unsupported-suite');
  });
});

describe('a fresh gateway key and binary HTTP', () => {
  it('round-trips a POST /facts request and its JSON answer', async () => {
    const gwKey = await generateGatewayKey(7);
    const body = JSON.stringify({ request: { capabilityPubKey: '02'.padEnd(66, 'a'), arguments: { city: 'Oslo' } } });
    const req = await new BHttpEncoder().encodeRequest(new Request('https://oracle.example/facts', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    const client = await encapsulateRequest(gwKey.keyConfig, req);
    const gw = await decapsulateRequest(gwKey.privateKey, 7, client.encapsulatedRequest);
    const decoded = new BHttpDecoder().decodeRequest(gw.request);
    assert.equal(decoded.method, 'POST');
    assert.equal(new URL(decoded.url).pathname, '/facts');
    assert.equal(await decoded.text(), body);
    const res = await new BHttpEncoder().encodeResponse(new Response('{"fact":1}', { status: 200, headers: { 'content-type': 'application/json' } }));
    const opened = new BHttpDecoder().decodeResponse(await client.openResponse(await gw.sealResponse(res)));
    assert.equal(opened.status, 200);
    assert.equal(await opened.text(), '{"fact":1}');
  });
});
