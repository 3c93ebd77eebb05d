/**
 * The page's analysis worker (see analysis-protocol.ts). It keeps the last cube it read, so that
 * band images, pixel spectra and error maps need no second copy of the file on the page.
 */
import { decodeWav } from '../../app/audio/wav-codec.js';
import { defaultTriple } from './band-defaults.js';
import { readCube } from '../../app/hsi/read-cube.js';
import type { AnalysisMessage, AnalysisReply, AudioAnalysis, CubeAnalysis } from './analysis-protocol.js';
import { bandImage, bandPercentiles, pixelSpectrum, samplePixels, unmixingFit, type CubeData } from './cube-view-data.js';
import { principalComponents, project, type Pca } from './pca.js';
import { spectrogramLevels } from './spectrogram-levels.js';
import { monoMix, waveformEnvelope } from './waveform-envelope.js';
import { trueColorBands, wavelengthsInNm } from './wavelengths.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<AnalysisMessage>) => void) | null;
  postMessage(message: AnalysisReply, options?: { transfer?: Transferable[] }): void;
}
const scope = self as unknown as WorkerScope;

/** Points shown in the 3-D view: enough to see the shape of the cloud, few enough to rotate smoothly. */
const PCA_POINTS = 20_000;

let cube: (CubeData & { low: Float32Array; high: Float32Array; pca: Pca }) | null = null;

function currentCube(): NonNullable<typeof cube> {
  if (!cube) throw new Error('no cube is loaded in the analysis worker');
  return cube;
}

function analyseAudio(bytes: ArrayBuffer, name: string): { result: AudioAnalysis; transfer: Transferable[] } {
  const audio = decodeWav(new Uint8Array(bytes), name);
  const mono = monoMix(audio.channels);
  const spectrogram = spectrogramLevels(mono, audio.sampleRate);
  const envelope = waveformEnvelope(mono);
  return {
    result: { sampleRate: audio.sampleRate, channels: audio.channels.length, length: mono.length, spectrogram, envelope },
    transfer: [spectrogram.levels.buffer, envelope.min.buffer, envelope.max.buffer] as ArrayBuffer[],
  };
}

async function analyseCube(bytes: ArrayBuffer, name: string): Promise<{ result: CubeAnalysis; transfer: Transferable[] }> {
  const read = await readCube(new Uint8Array(bytes), name);
  const data: CubeData = { rows: read.rows, cols: read.cols, bands: read.bands, data: read.data };
  const { low, high } = bandPercentiles(data);
  const nm = wavelengthsInNm(read.wavelengths, read.wavelengthUnits);
  const rgb = trueColorBands(nm);
  const sample = samplePixels(data, PCA_POINTS);
  const n = sample.indices.length;
  const pca = principalComponents(sample.spectra, n, data.bands);
  const points = project(pca, sample.spectra, n, data.bands);
  // Point colours: the pixel's colour in the default image (true colour, else three spread bands).
  const [r, g, b] = rgb ?? defaultTriple(data.bands);
  const colors = new Uint8Array(3 * n);
  const stretch = (x: number, band: number): number => {
    const span = high[band]! - low[band]!;
    return span > 0 ? Math.max(0, Math.min(255, Math.round(((x - low[band]!) / span) * 255))) : 128;
  };
  for (let i = 0; i < n; i++) {
    colors[3 * i] = stretch(sample.spectra[i * data.bands + r]!, r);
    colors[3 * i + 1] = stretch(sample.spectra[i * data.bands + g]!, g);
    colors[3 * i + 2] = stretch(sample.spectra[i * data.bands + b]!, b);
  }
  cube = { ...data, low, high, pca };
  return {
    result: {
      rows: data.rows,
      cols: data.cols,
      bands: data.bands,
      wavelengths: read.wavelengths,
      wavelengthUnits: read.wavelengthUnits,
      trueColorBands: rgb,
      bandLow: low.slice(),
      bandHigh: high.slice(),
      pca: { points, colors, explained: pca.explained },
    },
    transfer: [points.buffer, colors.buffer] as ArrayBuffer[],
  };
}

async function handle(message: AnalysisMessage): Promise<{ result: unknown; transfer: Transferable[] }> {
  switch (message.op) {
    case 'audio':
      return analyseAudio(message.bytes, message.name);
    case 'cube':
      return analyseCube(message.bytes, message.name);
    case 'image': {
      const c = currentCube();
      const image = bandImage(c, message.image, c.low, c.high);
      return { result: image, transfer: [image.buffer as ArrayBuffer] };
    }
    case 'pixel':
      return { result: pixelSpectrum(currentCube(), message.row, message.col), transfer: [] };
    case 'fit': {
      const c = currentCube();
      const { error, scales, factors, corners } = unmixingFit(c, message.endmembers, message.abundances, message.count, message.scaled);
      const coordinates = project(c.pca, corners, message.count, c.bands);
      return { result: { error, scales, factors, corners: coordinates }, transfer: [error.buffer, scales.buffer, factors.buffer, coordinates.buffer] };
    }
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  handle(message).then(
    ({ result, transfer }) => scope.postMessage({ id: message.id, ok: true, result }, { transfer }),
    (error: unknown) => scope.postMessage({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
};
