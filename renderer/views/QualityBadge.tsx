import { useTranslation } from 'react-i18next';
import type { CallQuality } from '../phone/quality';

/** A small live badge: the MOS estimate, coloured by rating, with jitter, loss and round trip for those who ask. */
export function QualityBadge({ quality, final = false }: { quality: CallQuality; final?: boolean }) {
  const { t } = useTranslation();
  const details = t('quality.details', {
    jitter: quality.jitterMs.toFixed(1),
    loss: quality.lossPct.toFixed(1),
    rtt: quality.rttMs === null ? '–' : quality.rttMs.toFixed(0),
    codec: quality.codec ?? '–',
  });
  const label = `${t(`quality.${quality.rating}`)} · MOS ${quality.mos.toFixed(1)}`;
  return (
    <span
      className={`quality quality-${quality.rating}`}
      data-testid={final ? 'quality-final' : 'quality'}
      data-rating={quality.rating}
      data-mos={quality.mos}
      title={details}
      aria-label={`${t('quality.label')}: ${label}. ${details}`}
    >
      {label}
    </span>
  );
}
