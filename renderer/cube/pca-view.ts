import {
  BufferAttribute,
  BufferGeometry,
  Color,
  LineBasicMaterial,
  LineSegments,
  PerspectiveCamera,
  Points,
  PointsMaterial,
  Scene,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { element } from '../dom.js';
import { seriesColor } from '../series-colors.js';
import { Redraw } from '../plots/redraw.js';
import { themeColors } from '../theme.js';

/**
 * The pixels as a point cloud on their first three principal components, with the endmember
 * simplex (every pair of endmembers joined), rotatable with the mouse (three.js OrbitControls:
 * drag rotates, wheel zooms, right-drag pans). Linear mixtures of P endmembers fill the simplex
 * their spectra span, so how well the drawn simplex wraps the cloud shows how well the unmixing fits.
 * Coordinates are scaled so that the cloud fits a unit sphere.
 */
export class PcaView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(40, 1, 0.01, 100);
  private readonly controls: OrbitControls;
  private readonly redraw: Redraw;
  private readonly scale: number;
  private simplex: LineSegments | null = null;
  private vertices: Points | null = null;

  constructor(points: Float32Array, colors: Uint8Array, explained: readonly number[]) {
    this.canvas = element('canvas', {
      className: 'pca-canvas',
      attrs: {
        role: 'img',
        tabindex: '0',
        'data-testid': 'pca-view',
        'aria-label': `Pixels on their first three principal components (${explained.map((e, i) => `PC${i + 1} ${(100 * e).toFixed(2)} %`).join(', ')} of the variance); drag to rotate, wheel to zoom`,
      },
    });
    const reset = element('button', { text: 'Reset view', attrs: { type: 'button', 'data-testid': 'pca-reset' } });
    this.element = element('div', { className: 'pca' }, [this.canvas, element('div', { className: 'pca-tools' }, [reset])]);
    this.renderer = new WebGLRenderer({ canvas: this.canvas, antialias: true, preserveDrawingBuffer: true });
    this.renderer.setPixelRatio(Math.min(2, window.devicePixelRatio || 1));

    let extent = 0;
    for (const v of points) extent = Math.max(extent, Math.abs(v));
    this.scale = extent > 0 ? 1 / extent : 1;
    const positions = new Float32Array(points.length);
    for (let i = 0; i < points.length; i++) positions[i] = points[i]! * this.scale;
    const cloud = new BufferGeometry();
    cloud.setAttribute('position', new BufferAttribute(positions, 3));
    cloud.setAttribute('color', new BufferAttribute(new Float32Array(colors.length).map((_, i) => colors[i]! / 255), 3));
    this.scene.add(new Points(cloud, new PointsMaterial({ size: 2.5, sizeAttenuation: false, vertexColors: true })));
    this.scene.add(this.axes());
    this.canvas.dataset.points = String(points.length / 3);

    // Mostly along PC3, so the PC1–PC2 plane, where most of the variance lies, faces the viewer.
    this.camera.position.set(0.7, 0.6, 2.3);
    this.camera.lookAt(0, 0, 0);
    this.redraw = new Redraw(this.canvas, () => this.draw());
    this.controls = new OrbitControls(this.camera, this.canvas);
    this.controls.enableDamping = false;
    this.controls.addEventListener('change', () => this.redraw.schedule());
    this.controls.saveState();
    reset.addEventListener('click', () => this.controls.reset());
    this.redraw.schedule();
  }

  /** Draws the simplex of the endmembers (their coordinates on the same components, P × 3). */
  setSimplex(coordinates: Float32Array): void {
    for (const old of [this.simplex, this.vertices]) {
      if (!old) continue;
      this.scene.remove(old);
      old.geometry.dispose();
      (old.material as LineBasicMaterial | PointsMaterial).dispose();
    }
    const count = coordinates.length / 3;
    const at = (p: number): number[] => [0, 1, 2].map((j) => coordinates[3 * p + j]! * this.scale);
    const edges: number[] = [];
    for (let a = 0; a < count; a++) for (let b = a + 1; b < count; b++) edges.push(...at(a), ...at(b));
    const lines = new BufferGeometry();
    lines.setAttribute('position', new BufferAttribute(new Float32Array(edges), 3));
    this.simplex = new LineSegments(lines, new LineBasicMaterial({ color: new Color(themeColors().text) }));
    const corners = new BufferGeometry();
    corners.setAttribute('position', new BufferAttribute(new Float32Array(Array.from({ length: count }, (_, p) => at(p)).flat()), 3));
    const colors = Array.from({ length: count }, (_, p) => new Color(seriesColor(p)).toArray()).flat();
    corners.setAttribute('color', new BufferAttribute(new Float32Array(colors), 3));
    this.vertices = new Points(corners, new PointsMaterial({ size: 11, sizeAttenuation: false, vertexColors: true }));
    this.scene.add(this.simplex, this.vertices);
    this.canvas.dataset.simplex = String(count);
    this.redraw.schedule();
  }

  dispose(): void {
    this.redraw.dispose();
    this.controls.dispose();
    this.scene.traverse((object) => {
      if (object instanceof Points || object instanceof LineSegments) {
        object.geometry.dispose();
        (object.material as LineBasicMaterial | PointsMaterial).dispose();
      }
    });
    this.renderer.dispose();
    this.renderer.forceContextLoss();
  }

  /** Short PC1/PC2/PC3 axes from the centre (the mean pixel). */
  private axes(): LineSegments {
    const geometry = new BufferGeometry();
    geometry.setAttribute('position', new BufferAttribute(new Float32Array([0, 0, 0, 0.6, 0, 0, 0, 0, 0, 0, 0.6, 0, 0, 0, 0, 0, 0, 0.6]), 3));
    geometry.setAttribute('color', new BufferAttribute(new Float32Array([0.85, 0.2, 0.2, 0.85, 0.2, 0.2, 0.2, 0.7, 0.3, 0.2, 0.7, 0.3, 0.25, 0.4, 0.9, 0.25, 0.4, 0.9]), 3));
    return new LineSegments(geometry, new LineBasicMaterial({ vertexColors: true }));
  }

  private draw(): void {
    const width = this.canvas.clientWidth;
    const height = this.canvas.clientHeight;
    if (width === 0 || height === 0) return;
    const ratio = this.renderer.getPixelRatio();
    if (this.canvas.width !== Math.floor(width * ratio) || this.canvas.height !== Math.floor(height * ratio)) {
      this.renderer.setSize(width, height, false);
      this.camera.aspect = width / height;
      this.camera.updateProjectionMatrix();
    }
    this.renderer.setClearColor(new Color(themeColors().card), 1);
    if (this.simplex) (this.simplex.material as LineBasicMaterial).color.set(themeColors().text);
    this.renderer.render(this.scene, this.camera);
  }
}
