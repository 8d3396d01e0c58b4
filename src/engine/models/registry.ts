import type { ArchitectureFactory } from './architecture';
import { buildCnn } from './cnn';
import { buildResnet } from './resnet';
import { buildVgg11 } from './vgg';
import { buildMobileNetV3Small } from './mobilenetv3';
import { buildVitTiny } from './vit';
import type { ArchName } from './types';

/** Display metadata for an architecture (UI pickers, reports). */
export interface ArchitectureInfo {
  readonly name: ArchName;
  readonly displayName: string;
  readonly description: string;
  /** True for the two models the lab trains by default on cpu-class hardware. */
  readonly core: boolean;
}

export const ARCHITECTURES: Readonly<Record<ArchName, ArchitectureInfo>> = {
  cnn: {
    name: 'cnn',
    displayName: 'Small CNN',
    description: '4 conv layers (32-32-64-64) with BatchNorm, 2 max-pools, dense 128, dense 10; ~0.6M parameters, the simplest model to read.',
    core: true,
  },
  resnet20: {
    name: 'resnet20',
    displayName: 'ResNet-20',
    description: 'CIFAR ResNet-20 (He et al. 2016): 3 stages of 3 basic blocks, 16/32/64 channels, BatchNorm, projection shortcuts; ~0.27M parameters.',
    core: true,
  },
  vgg11: {
    name: 'vgg11',
    displayName: 'VGG-11 (narrow)',
    description: 'VGG-11 with BatchNorm at a quarter of the original widths (16-32-64-64-128-128-128-128), dense 128, dense 10; ~0.6M parameters.',
    core: false,
  },
  mobilenetv3s: {
    name: 'mobilenetv3s',
    displayName: 'MobileNetV3-Small',
    description: 'MobileNetV3-Small (Howard et al. 2019) adapted to 32x32: inverted residuals with depthwise convolutions, squeeze-excite and hard-swish; ~1.5M parameters (0.6M in the 1024-unit head).',
    core: false,
  },
  'vit-tiny': {
    name: 'vit-tiny',
    displayName: 'ViT-Tiny (lab size)',
    description: 'Tiny vision transformer: 4x4 patches, dim 64, 4 pre-LayerNorm blocks with 4-head self-attention and MLP, class token; ~0.14M parameters.',
    core: false,
  },
};

export const ARCHITECTURE_FACTORIES: Readonly<Record<ArchName, ArchitectureFactory>> = {
  cnn: buildCnn,
  resnet20: buildResnet,
  vgg11: buildVgg11,
  mobilenetv3s: buildMobileNetV3Small,
  'vit-tiny': buildVitTiny,
};

/** All architecture names, in display order. */
export const ARCH_NAMES: readonly ArchName[] = ['cnn', 'resnet20', 'vgg11', 'mobilenetv3s', 'vit-tiny'];

/** Type guard for user input (CLI flags, URLs, files). */
export function isArchName(s: string): s is ArchName {
  return (ARCH_NAMES as readonly string[]).includes(s);
}
