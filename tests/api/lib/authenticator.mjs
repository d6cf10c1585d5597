// A software WebAuthn authenticator for the API tests: it makes credentials
// and assertions as a browser and a security key would, from keys made with
// node:crypto (ES256 on P-256, EdDSA on Ed25519, RS256 with 2048 bits).
//
// What it builds (WebAuthn Level 2):
// - clientDataJSON: {type, challenge, origin, crossOrigin}; the challenge is
//   the base64url text the server gave, as a browser would send it back.
// - authenticatorData: SHA-256(rpId) || flags || signCount (u32 BE), and at
//   registration || aaguid (16) || credentialIdLength (u16 BE) ||
//   credentialId || the COSE public key.
// - the attestation object, CBOR {"fmt": "none", "attStmt": {}, "authData"}.
// - assertion signatures over authenticatorData || SHA-256(clientDataJSON):
//   DER ECDSA with SHA-256, Ed25519, or RSASSA-PKCS1-v1_5 with SHA-256.
//
// Every part can be changed (origin, rpId, challenge, flags, counter, type,
// crossOrigin, signature) to build what a faulty or hostile client would send.
//
// No npm dependencies: the CBOR encoder below covers what COSE keys and
// attestation objects need.

import crypto from 'node:crypto';

// ---------------------------------------------------------------------------
// CBOR (RFC 8949), encoding only: unsigned and negative integers, byte
// strings (Buffer/Uint8Array), text strings, arrays, maps (a Map for integer
// keys, or a plain object for text keys), booleans and null.

function head(major, n) {
  if (typeof n === 'bigint' ? n < 0n : n < 0) throw new RangeError('CBOR lengths and arguments are not negative');
  const big = BigInt(n);
  if (big < 24n) return Buffer.from([(major << 5) | Number(big)]);
  if (big < 0x100n) return Buffer.from([(major << 5) | 24, Number(big)]);
  if (big < 0x10000n) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(Number(big), 1);
    return b;
  }
  if (big < 0x100000000n) {
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(Number(big), 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = (major << 5) | 27;
  b.writeBigUInt64BE(big, 1);
  return b;
}

export function cborEncode(value) {
  if (value === null) return Buffer.from([0xf6]);
  if (value === false) return Buffer.from([0xf4]);
  if (value === true) return Buffer.from([0xf5]);
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'number' && !Number.isInteger(value)) throw new TypeError('CBOR: only integers here');
    const big = BigInt(value);
    return big >= 0n ? head(0, big) : head(1, -1n - big);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) {
    return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  }
  if (Array.isArray(value)) {
    return Buffer.concat([head(4, value.length), ...value.map(cborEncode)]);
  }
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cborEncode(k), cborEncode(v)])]);
}

// ---------------------------------------------------------------------------
// Keys

export const ALGORITHMS = {
  ES256: -7,
  EdDSA: -8,
  RS256: -257,
};

export const FLAGS = {
  UP: 0x01,  // user present
  UV: 0x04,  // user verified
  BE: 0x08,  // backup eligible
  BS: 0x10,  // backed up
  AT: 0x40,  // attested credential data included
  ED: 0x80,  // extension data included
};

export const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
export const fromB64url = (text) => Buffer.from(text, 'base64url');
export const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

function makeKeyPair(alg, modulusLength = 2048) {
  switch (alg) {
    case 'ES256': return crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'EdDSA': return crypto.generateKeyPairSync('ed25519');
    case 'RS256': return crypto.generateKeyPairSync('rsa', { modulusLength, publicExponent: 0x10001 });
    default: throw new Error(`unknown algorithm ${alg}`);
  }
}

// The COSE_Key (RFC 9053) of a public key, as a Map with integer labels.
export function coseKeyOf(alg, publicKey) {
  const jwk = publicKey.export({ format: 'jwk' });
  switch (alg) {
    case 'ES256':
      // kty EC2, alg ES256, crv P-256, x, y
      return new Map([[1, 2], [3, ALGORITHMS.ES256], [-1, 1], [-2, fromB64url(jwk.x)], [-3, fromB64url(jwk.y)]]);
    case 'EdDSA':
      // kty OKP, alg EdDSA, crv Ed25519, x
      return new Map([[1, 1], [3, ALGORITHMS.EdDSA], [-1, 6], [-2, fromB64url(jwk.x)]]);
    case 'RS256':
      // kty RSA, alg RS256, n, e
      return new Map([[1, 3], [3, ALGORITHMS.RS256], [-1, fromB64url(jwk.n)], [-2, fromB64url(jwk.e)]]);
    default: throw new Error(`unknown algorithm ${alg}`);
  }
}

export function signWith(alg, privateKey, data) {
  switch (alg) {
    case 'ES256': return crypto.sign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
    case 'EdDSA': return crypto.sign(null, data, privateKey);
    case 'RS256': return crypto.sign('sha256', data, { key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING });
    default: throw new Error(`unknown algorithm ${alg}`);
  }
}

// ---------------------------------------------------------------------------
// Ceremonies

export function clientDataJSON({ type, challenge, origin, crossOrigin = false, extra = {} }) {
  const data = { type, challenge, origin };
  if (crossOrigin !== undefined) data.crossOrigin = crossOrigin;
  return Buffer.from(JSON.stringify({ ...data, ...extra }), 'utf8');
}

// authenticatorData; `attested` ({aaguid, credentialId, coseKey}) at registration.
export function authenticatorData({ rpId, flags, signCount, attested, extensions }) {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(signCount >>> 0, 0);
  const parts = [sha256(rpId), Buffer.from([flags]), counter];
  if (attested) {
    const length = Buffer.alloc(2);
    length.writeUInt16BE(attested.credentialId.length, 0);
    parts.push(attested.aaguid, length, attested.credentialId, attested.coseKey);
  }
  if (extensions) parts.push(cborEncode(extensions));
  return Buffer.concat(parts);
}

export class Authenticator {
  // alg: 'ES256', 'EdDSA' or 'RS256'. rpId and origin: the relying party it
  // answers for by default. signCount: the counter's start; counterStep: how
  // much each assertion moves it (0 for an authenticator without a counter).
  // modulusLength: the RSA key's size for RS256 (2048 unless given).
  constructor(alg, { rpId, origin, signCount = 0, counterStep = 1, credentialId, modulusLength } = {}) {
    this.alg = alg;
    this.rpId = rpId;
    this.origin = origin;
    this.signCount = signCount;
    this.counterStep = counterStep;
    const { publicKey, privateKey } = makeKeyPair(alg, modulusLength);
    this.publicKey = publicKey;
    this.privateKey = privateKey;
    this.credentialId = credentialId ?? crypto.randomBytes(32);
    this.aaguid = Buffer.alloc(16);
  }

  get id() { return b64url(this.credentialId); }

  get coseKey() { return cborEncode(coseKeyOf(this.alg, this.publicKey)); }

  // navigator.credentials.create(): answers the server's creation options
  // (`publicKey`) with {client_data_json, attestation_object} in base64url.
  // Overrides: challenge, origin, rpId, type, crossOrigin, flags, signCount,
  // fmt, attStmt, coseKey, clientData (raw bytes), extraAuthData (appended).
  create(publicKey, over = {}) {
    const challenge = over.challenge ?? publicKey.challenge;
    const rpId = over.rpId ?? publicKey?.rp?.id ?? this.rpId;
    const clientData = over.clientData ?? clientDataJSON({
      type: over.type ?? 'webauthn.create',
      challenge,
      origin: over.origin ?? this.origin,
      crossOrigin: 'crossOrigin' in over ? over.crossOrigin : false,
    });
    const authData = Buffer.concat([authenticatorData({
      rpId,
      flags: over.flags ?? (FLAGS.UP | FLAGS.UV | FLAGS.AT),
      signCount: over.signCount ?? this.signCount,
      attested: { aaguid: this.aaguid, credentialId: this.credentialId, coseKey: over.coseKey ?? this.coseKey },
    }), over.extraAuthData ?? Buffer.alloc(0)]);
    const attestation = cborEncode({ fmt: over.fmt ?? 'none', attStmt: over.attStmt ?? {}, authData });
    return {
      client_data_json: b64url(clientData),
      attestation_object: b64url(attestation),
    };
  }

  // navigator.credentials.get(): answers the request options (`options`:
  // {challenge, rpId, ...}) with {id, client_data_json, authenticator_data,
  // signature} in base64url. The counter moves by counterStep unless
  // over.signCount is given. Overrides: challenge, origin, rpId, type,
  // crossOrigin, flags, signCount, id, signer ({alg, privateKey}), signature
  // (bytes, sent instead), clientData (raw bytes).
  get(options, over = {}) {
    const challenge = over.challenge ?? options.challenge;
    const rpId = over.rpId ?? options?.rpId ?? this.rpId;
    let signCount = over.signCount;
    if (signCount === undefined) {
      this.signCount += this.counterStep;
      signCount = this.signCount;
    }
    const clientData = over.clientData ?? clientDataJSON({
      type: over.type ?? 'webauthn.get',
      challenge,
      origin: over.origin ?? this.origin,
      crossOrigin: 'crossOrigin' in over ? over.crossOrigin : false,
    });
    const authData = authenticatorData({
      rpId,
      flags: over.flags ?? (FLAGS.UP | FLAGS.UV),
      signCount,
    });
    const signer = over.signer ?? this;
    const signature = over.signature
      ?? signWith(signer.alg, signer.privateKey, Buffer.concat([authData, sha256(clientData)]));
    return {
      id: over.id ?? this.id,
      client_data_json: b64url(clientData),
      authenticator_data: b64url(authData),
      signature: b64url(signature),
    };
  }
}
