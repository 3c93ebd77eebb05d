/**
 * Plays the workspace's tracks in sync with Web Audio: every track (the mixture before a
 * separation, the sources after) is an AudioBufferSourceNode started at the same context time
 * through its own gain, so solo and mute switch sources in and out without a gap, and the sources,
 * which sum to the mixture, play back as the mixture when all are on. A master analyser measures
 * the output level for the meter.
 */
export interface TrackState {
  readonly muted: boolean;
  readonly soloed: boolean;
}

export class Transport {
  private context: AudioContext | null = null;
  private master: GainNode | null = null;
  private analyser: AnalyserNode | null = null;
  private tracks: { buffer: AudioBuffer; gain: GainNode | null; node: AudioBufferSourceNode | null; state: TrackState }[] = [];
  private offset = 0;
  private startedAt = 0;
  private playing = false;
  private readonly listeners = new Set<() => void>();
  private levelBuffer: Float32Array<ArrayBuffer> | null = null;

  get isPlaying(): boolean {
    return this.playing;
  }

  get duration(): number {
    return this.tracks.reduce((d, t) => Math.max(d, t.buffer.duration), 0);
  }

  /** Seconds from the start of the recording. */
  get position(): number {
    if (!this.playing || !this.context) return this.offset;
    return Math.min(this.duration, this.offset + (this.context.currentTime - this.startedAt));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Replaces the tracks, keeping position and play state (a regrouping plays on at once). */
  setTracks(buffers: readonly AudioBuffer[]): void {
    const wasPlaying = this.playing;
    const at = this.position;
    this.stopNodes();
    const old = this.tracks;
    for (const track of old) track.gain?.disconnect();
    this.tracks = buffers.map((buffer, i) => ({ buffer, gain: null, node: null, state: old.length === buffers.length ? old[i]!.state : { muted: false, soloed: false } }));
    this.offset = Math.min(at, this.duration);
    this.playing = false;
    if (wasPlaying) this.play();
    else this.emit();
  }

  trackState(index: number): TrackState {
    return this.tracks[index]?.state ?? { muted: false, soloed: false };
  }

  setMuted(index: number, muted: boolean): void {
    this.updateTrack(index, { muted });
  }

  setSoloed(index: number, soloed: boolean): void {
    this.updateTrack(index, { soloed });
  }

  private updateTrack(index: number, change: Partial<TrackState>): void {
    const track = this.tracks[index];
    if (!track) return;
    track.state = { ...track.state, ...change };
    this.applyGains();
    this.emit();
  }

  /** Whether a track is heard now: soloed ones only when any is soloed, never a muted one. */
  audible(index: number): boolean {
    const track = this.tracks[index];
    if (!track) return false;
    const anySolo = this.tracks.some((t) => t.state.soloed);
    return !track.state.muted && (!anySolo || track.state.soloed);
  }

  play(): void {
    if (this.playing || this.tracks.length === 0) return;
    const context = this.ensureContext();
    void context.resume();
    if (this.offset >= this.duration - 1e-3) this.offset = 0;
    const when = context.currentTime + 0.02;
    this.tracks.forEach((track) => {
      if (!track.gain) {
        track.gain = context.createGain();
        track.gain.connect(this.master!);
      }
      const node = context.createBufferSource();
      node.buffer = track.buffer;
      node.connect(track.gain);
      node.start(when, Math.min(this.offset, track.buffer.duration));
      track.node = node;
    });
    this.applyGains();
    this.startedAt = when;
    this.playing = true;
    this.emit();
  }

  pause(): void {
    if (!this.playing) return;
    this.offset = this.position;
    this.stopNodes();
    this.playing = false;
    this.emit();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  seek(seconds: number): void {
    const target = Math.min(Math.max(0, seconds), this.duration);
    if (this.playing) {
      this.stopNodes();
      this.playing = false;
      this.offset = target;
      this.play();
    } else {
      this.offset = target;
      this.emit();
    }
  }

  /** Called from the animation loop: stops at the end. */
  tick(): void {
    if (this.playing && this.position >= this.duration - 1e-3) {
      this.stopNodes();
      this.playing = false;
      this.offset = this.duration;
      this.emit();
    }
  }

  /** RMS of the output over the analyser's last window (0 when silent or stopped). */
  level(): number {
    if (!this.analyser || !this.playing) return 0;
    this.levelBuffer ??= new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(this.levelBuffer);
    let sum = 0;
    for (const x of this.levelBuffer) sum += x * x;
    return Math.sqrt(sum / this.levelBuffer.length);
  }

  dispose(): void {
    this.stopNodes();
    this.playing = false;
    void this.context?.close();
    this.context = null;
    this.tracks = [];
    this.listeners.clear();
  }

  private ensureContext(): AudioContext {
    if (this.context) return this.context;
    const context = new AudioContext({ latencyHint: 'interactive' });
    this.master = context.createGain();
    this.analyser = context.createAnalyser();
    this.analyser.fftSize = 2048;
    this.master.connect(this.analyser);
    this.analyser.connect(context.destination);
    this.context = context;
    return context;
  }

  private applyGains(): void {
    if (!this.context) return;
    const now = this.context.currentTime;
    this.tracks.forEach((track, i) => track.gain?.gain.setTargetAtTime(this.audible(i) ? 1 : 0, now, 0.01));
  }

  private stopNodes(): void {
    for (const track of this.tracks) {
      if (track.node) {
        track.node.onended = null;
        try {
          track.node.stop();
        } catch {
          // Never started or already stopped.
        }
        track.node.disconnect();
        track.node = null;
      }
    }
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** Decodes WAV bytes without a running AudioContext (an offline one needs no user gesture). */
export async function decodeAudio(bytes: ArrayBuffer, sampleRate: number): Promise<AudioBuffer> {
  const context = new OfflineAudioContext(1, 1, sampleRate);
  return context.decodeAudioData(bytes.slice(0));
}
