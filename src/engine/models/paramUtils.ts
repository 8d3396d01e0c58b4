import type { Model, ParamInfo } from './types';

/** Number of scalars in a parameter. */
export function parameterSize(info: Pick<ParamInfo, 'shape'>): number {
  return info.shape.reduce((a, b) => a * b, 1);
}

/** ParamInfo by name. */
export function paramInfoByName(model: Pick<Model, 'paramInfo'>): Map<string, ParamInfo> {
  return new Map(model.paramInfo.map((p) => [p.name, p]));
}
