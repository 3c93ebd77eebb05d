import {
  ClampToEdgeWrapping,
  DataTexture,
  LinearFilter,
  Mesh,
  OrthographicCamera,
  PlaneGeometry,
  RedFormat,
  RGBAFormat,
  Scene,
  ShaderMaterial,
  UnsignedByteType,
  WebGLRenderer,
} from 'three';
import type { SpectrogramLevels } from '../analysis/analysis-protocol.js';
import { colormapTable, type ColormapName } from '../colormap.js';
import { element } from '../dom.js';
import { formatHertz } from '../format.js';
import { Redraw } from '../plots/redraw.js';
import type { TimeWindow } from './timeline.js';

/** Lowest frequency a log axis shows (below it a spectrogram holds little but DC leakage). */
const LOG_FLOOR_HZ = 20;

const VERTEX = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}`;

// y on screen → fraction of Nyquist, linear or logarithmic; then the bin's level through the colour table.
const FRAGMENT = /* glsl */ `
uniform sampler2D levels;
uniform sampler2D lut;
uniform float logFrequency;
uniform float minFraction;
uniform float bins;
varying vec2 vUv;
void main() {
  float f = logFrequency > 0.5 ? minFraction * pow(1.0 / minFraction, vUv.y) : vUv.y;
  float v = (f * (bins - 1.0) + 0.5) / bins;
  float level = texture2D(levels, vec2(vUv.x, v)).r;
  gl_FragColor = vec4(texture2D(lut, vec2(level * (255.0 / 256.0) + 0.5 / 256.0, 0.5)).rgb, 1.0);
}`;

export interface SpectrogramOptions {
  readonly logFrequency: boolean;
  readonly colormap: ColormapName;
}

/**
 * A spectrogram drawn with WebGL (three.js): the levels are uploaded once as 8-bit textures and a
 * fragment shader maps them through the colour table and the frequency axis, so zooming, panning,
 * switching to a log axis or another colour map costs one redraw of a few quads, whatever the
 * length (a 1025 × 25 000 spectrogram is 26 MB of texture in tiles of at most 4096 frames, within
 * every GPU's texture size limit). The camera's x axis is time in seconds; y runs 0…1.
 */
export class SpectrogramView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new OrthographicCamera(0, 1, 1, 0, -1, 1);
  private readonly lut: DataTexture;
  private readonly materials: ShaderMaterial[] = [];
  private readonly axis: HTMLElement;
  private readonly redraw: Redraw;
  private data: SpectrogramLevels | null = null;
  private options: SpectrogramOptions;

  constructor(label: string, options: SpectrogramOptions, className = 'spectrogram') {
    this.options = options;
    this.canvas = element('canvas', { className: 'spectrogram-canvas', attrs: { role: 'img', 'aria-label': label, 'data-testid': 'spectrogram' } });
    this.axis = element('div', { className: 'frequency-axis', attrs: { 'aria-hidden': 'true' } });
    this.element = element('div', { className }, [this.canvas, this.axis]);
    this.renderer = new WebGLRenderer({ canvas: this.canvas, antialias: false, alpha: false, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));
    this.renderer.setClearColor(0x000000, 1);
    this.lut = new DataTexture(new Uint8Array(256 * 4), 256, 1, RGBAFormat, UnsignedByteType);
    this.lut.magFilter = LinearFilter;
    this.lut.minFilter = LinearFilter;
    this.setColormap(options.colormap);
    this.redraw = new Redraw(this.element, () => this.draw());
  }

  setData(data: SpectrogramLevels, view: TimeWindow): void {
    this.clearTiles();
    this.data = data;
    const maxTexture = this.renderer.capabilities.maxTextureSize;
    if (data.bins > maxTexture) throw new Error(`spectrogram has ${data.bins} bins; this GPU's textures hold at most ${maxTexture}`);
    const tileFrames = Math.min(4096, maxTexture);
    const secondsPerFrame = data.hop / data.sampleRate;
    const nyquist = data.sampleRate / 2;
    const minFraction = Math.max(LOG_FLOOR_HZ / nyquist, 1 / Math.max(1, data.bins - 1));
    for (let first = 0; first < data.frames; first += tileFrames) {
      const width = Math.min(tileFrames, data.frames - first);
      const texels = new Uint8Array(width * data.bins);
      for (let b = 0; b < data.bins; b++) texels.set(data.levels.subarray(b * data.frames + first, b * data.frames + first + width), b * width);
      const texture = new DataTexture(texels, width, data.bins, RedFormat, UnsignedByteType);
      texture.unpackAlignment = 1;
      texture.magFilter = LinearFilter;
      texture.minFilter = LinearFilter;
      texture.wrapS = ClampToEdgeWrapping;
      texture.wrapT = ClampToEdgeWrapping;
      texture.needsUpdate = true;
      const material = new ShaderMaterial({
        vertexShader: VERTEX,
        fragmentShader: FRAGMENT,
        uniforms: {
          levels: { value: texture },
          lut: { value: this.lut },
          logFrequency: { value: this.options.logFrequency ? 1 : 0 },
          minFraction: { value: minFraction },
          bins: { value: data.bins },
        },
        depthTest: false,
        depthWrite: false,
      });
      this.materials.push(material);
      // Frame t is centred at t · hop; the quad spans from half a frame before the first to half after the last.
      const x0 = (first - 0.5) * secondsPerFrame;
      const x1 = (first + width - 0.5) * secondsPerFrame;
      const mesh = new Mesh(new PlaneGeometry(x1 - x0, 1), material);
      mesh.position.set((x0 + x1) / 2, 0.5, 0);
      this.scene.add(mesh);
    }
    this.element.dataset.frames = String(data.frames);
    this.element.dataset.bins = String(data.bins);
    this.setView(view);
    this.drawAxis();
  }

  setView(view: TimeWindow): void {
    this.camera.left = view.start;
    this.camera.right = view.end;
    this.camera.updateProjectionMatrix();
    this.redraw.schedule();
  }

  setOptions(options: SpectrogramOptions): void {
    if (options.colormap !== this.options.colormap) this.setColormap(options.colormap);
    this.options = options;
    for (const material of this.materials) material.uniforms.logFrequency!.value = options.logFrequency ? 1 : 0;
    this.drawAxis();
    this.redraw.schedule();
  }

  dispose(): void {
    this.redraw.dispose();
    this.clearTiles();
    this.lut.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
  }

  private setColormap(name: ColormapName): void {
    const table = colormapTable(name);
    const rgba = this.lut.image.data as Uint8Array;
    for (let i = 0; i < 256; i++) {
      rgba[4 * i] = table[3 * i]!;
      rgba[4 * i + 1] = table[3 * i + 1]!;
      rgba[4 * i + 2] = table[3 * i + 2]!;
      rgba[4 * i + 3] = 255;
    }
    this.lut.needsUpdate = true;
  }

  private clearTiles(): void {
    for (const child of [...this.scene.children]) {
      if (child instanceof Mesh) {
        child.geometry.dispose();
        this.scene.remove(child);
      }
    }
    for (const material of this.materials) {
      (material.uniforms.levels!.value as DataTexture).dispose();
      material.dispose();
    }
    this.materials.length = 0;
  }

  /** Frequency labels at round values, placed by the same mapping the shader uses. */
  private drawAxis(): void {
    const data = this.data;
    if (!data) return;
    const nyquist = data.sampleRate / 2;
    const minFraction = Math.max(LOG_FLOOR_HZ / nyquist, 1 / Math.max(1, data.bins - 1));
    const candidates = this.options.logFrequency
      ? [50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000]
      : [0.25, 0.5, 0.75].map((f) => Math.round((f * nyquist) / 500) * 500).filter((hz) => hz > 0);
    const labels = candidates
      .filter((hz) => hz < nyquist * 0.97)
      .map((hz) => {
        const f = hz / nyquist;
        const y = this.options.logFrequency ? Math.log(f / minFraction) / Math.log(1 / minFraction) : f;
        return { hz, y };
      })
      .filter(({ y }) => y > 0.04 && y < 0.96);
    this.axis.replaceChildren(
      ...labels.map(({ hz, y }) => {
        const label = element('span', { className: 'frequency-label', text: formatHertz(hz) });
        label.style.bottom = `${(y * 100).toFixed(2)}%`;
        return label;
      }),
    );
  }

  private draw(): void {
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (width === 0 || height === 0) return;
    const ratio = this.renderer.getPixelRatio();
    if (this.canvas.width !== Math.floor(width * ratio) || this.canvas.height !== Math.floor(height * ratio)) this.renderer.setSize(width, height, false);
    this.renderer.render(this.scene, this.camera);
  }
}
