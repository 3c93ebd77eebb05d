import type { IncomingMessage } from 'node:http';
import { endianness } from 'node:os';
import { HOST_METHODS, type HostApi, type HostMethod } from '../../app/host-api.js';
import { validateHostCall } from '../../app/host-api-validation.js';
import { packFloats } from '../../app/packed-floats.js';
import { argArray, fileNameHeader } from './api-args.js';
import { readBody, readJsonBody } from './read-body.js';

/** What a route answers with: a JSON value, or raw bytes of a given type. */
export type ApiReply =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'bytes'; readonly contentType: string; readonly body: Uint8Array };

export type ApiRoute = (req: IncomingMessage) => Promise<ApiReply>;

/** JSON arguments are small; only openFile carries a payload. */
const JSON_ARGS_LIMIT = 1024 * 1024;

const json = (value: unknown): ApiReply => ({ kind: 'json', value });

/** Float32 values as little-endian bytes, whatever this machine's byte order. */
function float32LittleEndian(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (endianness() === 'LE') return bytes;
  const out = new DataView(new ArrayBuffer(values.byteLength));
  values.forEach((x, i) => out.setFloat32(i * 4, x, true));
  return new Uint8Array(out.buffer);
}

/**
 * One route per HostApi method. The mapped type makes the compiler insist on a handler for every
 * method in HOST_METHODS; arguments go through the validation shared with the Electron transport.
 */
function routeHandlers(host: HostApi, maxUploadBytes: number): { readonly [M in HostMethod]: ApiRoute } {
  const args = async <M extends HostMethod>(req: IncomingMessage, method: M): Promise<Parameters<HostApi[M]>> =>
    validateHostCall(method, argArray(await readJsonBody(req, JSON_ARGS_LIMIT), method));
  return {
    openFile: async (req) => {
      const name = fileNameHeader(req.headers['x-file-name']);
      const bytes = await readBody(req, maxUploadBytes);
      return json(await host.openFile(...validateHostCall('openFile', [name, bytes])));
    },
    startJob: async (req) => json(await host.startJob(...(await args(req, 'startJob')))),
    cancelJob: async (req) => {
      await host.cancelJob(...(await args(req, 'cancelJob')));
      return json(null);
    },
    getResult: async (req) => json(await host.getResult(...(await args(req, 'getResult')))),
    getSourceAudio: async (req) => {
      const wav = await host.getSourceAudio(...(await args(req, 'getSourceAudio')));
      return { kind: 'bytes', contentType: 'audio/wav', body: new Uint8Array(wav) };
    },
    getAbundanceMap: async (req) => {
      const map = await host.getAbundanceMap(...(await args(req, 'getAbundanceMap')));
      return { kind: 'bytes', contentType: 'application/octet-stream', body: float32LittleEndian(map) };
    },
    exportResult: async (req) => json(await host.exportResult(...(await args(req, 'exportResult')))),
    getSeparationModel: async (req) => {
      // W and H as float32 bytes after a JSON header (app/packed-floats.ts), not as JSON numbers.
      const { spectra, activations, ...header } = await host.getSeparationModel(...(await args(req, 'getSeparationModel')));
      return { kind: 'bytes', contentType: 'application/octet-stream', body: packFloats(header, [spectra, activations]) };
    },
    regroupSources: async (req) => json(await host.regroupSources(...(await args(req, 'regroupSources')))),
    renameEndmembers: async (req) => json(await host.renameEndmembers(...(await args(req, 'renameEndmembers')))),
  };
}

export function createApiRoutes(host: HostApi, maxUploadBytes: number): ReadonlyMap<string, ApiRoute> {
  const handlers = routeHandlers(host, maxUploadBytes);
  return new Map(HOST_METHODS.map((method) => [method, handlers[method]]));
}
