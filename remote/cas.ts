// The Content Addressable Storage: which blobs the server lacks, uploads (batched, or streamed
// through ByteStream when one blob is larger than a batch), and reads, each checked against its
// digest: a blob whose bytes do not hash to the digest it was asked for is rejected, whatever
// the server or a worker claims.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { WpmError } from '../util/errors.js';
import { digestKey, digestOf, normalizeDigest, type Digest } from './digest.js';
import { GrpcService, type CallOptions } from './grpc-service.js';
import { REAPI } from './proto.js';

/** A blob to upload: its bytes, or the host file that holds them. */
export interface BlobSource {
  digest: Digest;
  bytes?: Uint8Array;
  file?: string;
}

const BYTESTREAM_CHUNK = 1024 * 1024;
/** Room for the request's own framing around a batch's blobs. */
const BATCH_OVERHEAD = 64 * 1024;

export class Cas {
  constructor(
    private readonly cas: GrpcService,
    private readonly bytestream: GrpcService,
    private readonly instance: string,
    /** The server's max_batch_total_size_bytes (0: no limit of its own; 4 MiB is gRPC's usual message limit). */
    private readonly maxBatchBytes: number,
  ) {}

  private batchLimit(): number {
    const server = this.maxBatchBytes > 0 ? this.maxBatchBytes : 4 * 1024 * 1024;
    return Math.max(64 * 1024, Math.min(server, 4 * 1024 * 1024) - BATCH_OVERHEAD);
  }

  async findMissing(digests: Digest[], opts: CallOptions = {}): Promise<Digest[]> {
    const unique = [...new Map(digests.map((d) => [digestKey(d), d])).values()];
    const missing: Digest[] = [];
    for (let i = 0; i < unique.length; i += 4096) {
      const res = await this.cas.unary('FindMissingBlobs', { instance_name: this.instance, blob_digests: unique.slice(i, i + 4096) }, opts);
      for (const d of res.missing_blob_digests ?? []) missing.push(normalizeDigest(d));
    }
    return missing;
  }

  /** Upload every blob, small ones in batches, large ones one stream each. */
  async upload(blobs: BlobSource[], opts: CallOptions = {}): Promise<void> {
    const limit = this.batchLimit();
    let batch: { digest: Digest; data: Buffer }[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const requests = batch;
      batch = [];
      batchBytes = 0;
      const res = await this.cas.unary('BatchUpdateBlobs', { instance_name: this.instance, requests }, opts);
      for (const r of res.responses ?? []) {
        if (r.status && r.status.code !== 0) {
          throw new WpmError('ERR_REMOTE_UPLOAD', `the remote CAS refused blob ${r.digest?.hash}: ${r.status.message || `status ${r.status.code}`}`);
        }
      }
    };
    for (const b of blobs) {
      if (b.digest.size_bytes > limit) {
        await this.writeStream(b, opts);
        continue;
      }
      const data = Buffer.from(b.bytes ?? fs.readFileSync(b.file!));
      if (batchBytes + data.length > limit) await flush();
      batch.push({ digest: b.digest, data });
      batchBytes += data.length + 128;
    }
    await flush();
  }

  private async writeStream(b: BlobSource, opts: CallOptions): Promise<void> {
    const prefix = this.instance ? `${this.instance}/` : '';
    const resource = `${prefix}uploads/${crypto.randomUUID()}/blobs/${b.digest.hash}/${b.digest.size_bytes}`;
    await new Promise<void>((resolve, reject) => {
      const call = this.bytestream.clientStream('Write', opts, (err, res) => {
        if (err) reject(err);
        else if (Number(res?.committed_size) !== b.digest.size_bytes && Number(res?.committed_size) !== -1) {
          reject(new WpmError('ERR_REMOTE_UPLOAD', `the remote CAS took ${res?.committed_size} of ${b.digest.size_bytes} bytes of blob ${b.digest.hash}`));
        } else resolve();
      });
      const send = async () => {
        const fd = b.file ? fs.openSync(b.file, 'r') : null;
        try {
          let offset = 0;
          const total = b.digest.size_bytes;
          do {
            let chunk: Buffer;
            if (fd !== null) {
              chunk = Buffer.allocUnsafe(Math.min(BYTESTREAM_CHUNK, total - offset));
              const n = fs.readSync(fd, chunk, 0, chunk.length, offset);
              chunk = chunk.subarray(0, n);
            } else chunk = Buffer.from(b.bytes!.subarray(offset, offset + BYTESTREAM_CHUNK));
            const last = offset + chunk.length >= total;
            const msg = { resource_name: offset === 0 ? resource : '', write_offset: offset, finish_write: last, data: chunk };
            if (!call.write(msg)) await new Promise((r) => call.once('drain', r));
            offset += chunk.length;
            if (chunk.length === 0) break;
          } while (offset < total);
          call.end();
        } finally {
          if (fd !== null) fs.closeSync(fd);
        }
      };
      send().catch((err) => {
        call.cancel();
        reject(err);
      });
    });
  }

  /** Read blobs by digest (batched where small), each checked against its digest. */
  async read(digests: Digest[], opts: CallOptions = {}): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const limit = this.batchLimit();
    let batch: Digest[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const wanted = batch;
      batch = [];
      batchBytes = 0;
      const res = await this.cas.unary('BatchReadBlobs', { instance_name: this.instance, digests: wanted }, opts);
      for (const r of res.responses ?? []) {
        const d = normalizeDigest(r.digest);
        if (r.status && r.status.code !== 0) throw missingBlob(d, r.status.message);
        out.set(digestKey(d), checked(d, r.data as Buffer));
      }
      for (const d of wanted) if (!out.has(digestKey(d))) throw missingBlob(d, 'not in the response');
    };
    const seen = new Set<string>();
    for (const d of digests) {
      const key = digestKey(d);
      if (seen.has(key)) continue;
      seen.add(key);
      if (d.size_bytes === 0) {
        out.set(key, checked(d, Buffer.alloc(0)));
        continue;
      }
      if (d.size_bytes > limit) {
        out.set(key, await this.readStream(d, opts));
        continue;
      }
      if (batchBytes + d.size_bytes > limit) await flush();
      batch.push(d);
      batchBytes += d.size_bytes + 128;
    }
    await flush();
    return out;
  }

  async readOne(d: Digest, opts: CallOptions = {}): Promise<Buffer> {
    return (await this.read([d], opts)).get(digestKey(d))!;
  }

  private async readStream(d: Digest, opts: CallOptions): Promise<Buffer> {
    const prefix = this.instance ? `${this.instance}/` : '';
    const call = this.bytestream.serverStream('Read', { resource_name: `${prefix}blobs/${d.hash}/${d.size_bytes}`, read_offset: 0, read_limit: 0 }, opts);
    const parts: Buffer[] = [];
    try {
      for await (const msg of call) parts.push(Buffer.from(msg.data as Uint8Array));
    } catch (err) {
      if ((err as { code?: number }).code === 5) throw missingBlob(d, 'not found');
      throw err;
    }
    return checked(d, Buffer.concat(parts));
  }
}

function checked(d: Digest, data: Buffer): Buffer {
  const got = digestOf(data);
  if (got.hash !== d.hash || got.size_bytes !== d.size_bytes) {
    throw new WpmError('ERR_REMOTE_DIGEST_MISMATCH', `the remote CAS returned ${got.size_bytes} bytes hashing to ${got.hash} for blob ${d.hash}/${d.size_bytes}`, {
      hint: 'the remote cache or a worker holds corrupt or forged data; nothing of it was used',
    });
  }
  return data;
}

function missingBlob(d: Digest, why: string | undefined): WpmError {
  return new WpmError('ERR_REMOTE_MISSING_BLOB', `the remote CAS has no blob ${d.hash}/${d.size_bytes}${why ? ` (${why})` : ''}`);
}
