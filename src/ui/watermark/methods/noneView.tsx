/** No watermark in the Watermark panel: the WaterMAS objective fields, disabled, until a method is picked. */
import { WatermarkObjectiveFields } from '../WatermarkObjectiveFields';
import type { MethodSettingsProps } from './viewTypes';

export function NoneSettings({ config, lockedSetup, liveDisabled, liveBadge, update }: MethodSettingsProps) {
  return <WatermarkObjectiveFields config={config} lockedSetup={lockedSetup} marked={false} liveDisabled={liveDisabled} liveBadge={liveBadge} update={update} />;
}
