import type { HostApi, SeparationResult } from '../app/host-api.js';
import { element } from './dom.js';
import { formatNumber, formatPercent } from './format.js';

/**
 * One row per separated source: its name, its share of the energy and a player. Returns the
 * cleanup that releases the players' blob URLs when the results are replaced.
 */
export async function renderAudioResults(container: HTMLElement, host: HostApi, jobId: string, result: SeparationResult): Promise<() => void> {
  const urls: string[] = [];
  const release = (): void => urls.forEach((url) => URL.revokeObjectURL(url));
  try {
    const rows = await Promise.all(
      result.sources.map(async (source, index) => {
        const wav = await host.getSourceAudio(jobId, index);
        const url = URL.createObjectURL(new Blob([wav], { type: 'audio/wav' }));
        urls.push(url);
        const labelId = `source-name-${index}`;
        const player = element('audio', { attrs: { controls: '', preload: 'metadata', src: url, 'data-testid': 'source-player', 'aria-labelledby': labelId } });
        const share = element('meter', { attrs: { min: '0', max: '1', value: String(source.energyShare), 'aria-label': `Energy share of ${source.name}` } });
        return element('li', { className: 'source-row', attrs: { 'data-testid': 'source-row' } }, [
          element('span', { className: 'source-name', text: source.name, attrs: { id: labelId } }),
          element('span', { className: 'source-share' }, [share, element('span', { text: formatPercent(source.energyShare) })]),
          player,
        ]);
      }),
    );
    container.replaceChildren(
      element('h3', { text: `${result.sources.length} sources` }),
      element('ol', { className: 'source-list' }, rows),
      element('p', { className: 'residual', attrs: { 'data-testid': 'mixture-residual' } }, [
        'Mixture residual (largest |Σ sources − mixture|): ',
        element('strong', { text: formatNumber(result.mixtureResidual) }),
        ` at ${result.sampleRate} Hz, ${result.channels} channel${result.channels === 1 ? '' : 's'}.`,
      ]),
    );
    return release;
  } catch (error) {
    release();
    throw error;
  }
}
