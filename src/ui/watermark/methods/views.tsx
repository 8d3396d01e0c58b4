/**
 * The React parts of each watermark method, one line each (the pure parts are in registry.ts):
 * its settings in the Watermark panel, its live evidence line and what else it adds to the panel.
 */
import type { ComponentType } from 'react';
import type { WatermarkMethodId, WatermarkMethodName } from '../../../protocol/api';
import { FcwExtra, FcwLive, FcwMethodSettings } from './fcwView';
import { NoneSettings } from './noneView';
import { UchidaLive, UchidaMethodSettings } from './uchidaView';
import type { MethodExtraProps, MethodLiveProps, MethodSettingsProps } from './viewTypes';
import { WatermasLive, WatermasSettings } from './watermasView';

export interface MethodView {
  readonly Settings: ComponentType<MethodSettingsProps>;
  readonly Extra?: ComponentType<MethodExtraProps>;
}
export interface KeyMethodView extends MethodView {
  readonly Live: ComponentType<MethodLiveProps>;
}

export const METHOD_VIEWS: { readonly none: MethodView } & { readonly [M in WatermarkMethodId]: KeyMethodView } = {
  none: { Settings: NoneSettings },
  watermas: { Settings: WatermasSettings, Live: WatermasLive },
  uchida: { Settings: UchidaMethodSettings, Live: UchidaLive },
  fcw: { Settings: FcwMethodSettings, Live: FcwLive, Extra: FcwExtra },
};

export function methodView(id: WatermarkMethodName): MethodView {
  return METHOD_VIEWS[id];
}
