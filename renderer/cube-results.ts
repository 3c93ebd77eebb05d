import type { HostApi, UnmixResult } from '../app/host-api.js';
import { createAbundanceThumbnail } from './abundance-thumbnail.js';
import { element } from './dom.js';
import { formatNumber } from './format.js';
import { createSpectraPlot } from './spectra-plot.js';

/** The endmember spectra as a line plot, then one abundance map per endmember. */
export async function renderCubeResults(container: HTMLElement, host: HostApi, jobId: string, result: UnmixResult): Promise<void> {
  const maps = await Promise.all(result.endmembers.map((_, index) => host.getAbundanceMap(jobId, index)));
  const notes: string[] = [];
  if (result.clippedNegatives > 0) notes.push(`${result.clippedNegatives} negative values were clipped to zero before unmixing.`);
  container.replaceChildren(
    element('h3', { text: `${result.endmembers.length} endmember spectra` }),
    createSpectraPlot(result),
    element('h3', { text: 'Abundance maps' }),
    element('p', { className: 'hint', text: `Each map is scaled to its own range (dark = low, bright = high); ${result.rows} × ${result.cols} pixels.` }),
    element(
      'div',
      { className: 'abundance-grid' },
      maps.map((map, index) => createAbundanceThumbnail(index, map, result.rows, result.cols)),
    ),
    ...notes.map((note) => element('p', { className: 'hint', text: note })),
  );
}
