/** The formulas of the explanation cards, as TeX for KaTeX (methods.md: §1.5 objective, §1.6 p-value, §3 FCW, §4 Uchida, §5 attacks, §6 landscape). */

/** WaterMAS objective (methods.md §1.5), minimised over the non-key weights only. */
export const TEX_WATERMAS =
  String.raw`J(\theta_{\neg K}) = L(\theta) - \lambda\,\frac{1}{R}\sum_{r=1}^{R} L(\theta+\varepsilon_r),\qquad \varepsilon_r \sim \mathcal{N}(0,\sigma^2 I)\ \text{on } K`;
/** The bounded (hinge) form of the replica term, margin m. */
export const TEX_HINGE = String.raw`-L(\theta+\varepsilon_r)\;\longrightarrow\;\max\bigl(0,\; m-\bigl(L(\theta+\varepsilon_r)-L(\theta)\bigr)\bigr)`;
/** p-value of e errors among n bits: binomial tail under chance (methods.md §1.6). */
export const TEX_PVALUE = String.raw`p = \Pr\bigl[\mathrm{Bin}(n,\tfrac12) \le e\bigr] = 2^{-n}\sum_{k=0}^{e}\binom{n}{k},\qquad \mathrm{BER} = \frac{e}{n}`;
/** Uchida et al. 2017 (methods.md §4): BCE regulariser on the projection of one conv kernel. */
export const TEX_UCHIDA = String.raw`J(\theta) = L(\theta) + \lambda\sum_{t=1}^{T}\mathrm{BCE}\bigl(\sigma(Xw)_t,\, b_t\bigr),\qquad \hat b = [\,Xw > 0\,]`;
/** FCW (methods.md §3): binomial test of the trigger hits against the chance rate c. */
export const TEX_FCW = String.raw`p = \Pr\bigl[\mathrm{Bin}(n, c) \ge h\bigr] = \sum_{k=h}^{n}\binom{n}{k} c^k (1-c)^{n-k},\qquad c = \tfrac{1}{\text{classes}}`;
export const TEX_NOISE = String.raw`W \leftarrow W + \mathcal{N}\bigl(0,\,(\Omega\cdot\mathrm{std}(W))^2\bigr)`;
/** Two-sided loss rise at radius r along a direction d, and the key / complement ratio (src/engine/landscape/sharpness.ts). */
export const TEX_SHARPNESS = String.raw`\Delta_d(r) = \tfrac12\bigl(L(\theta+r\,d)+L(\theta-r\,d)\bigr)-L(\theta),\qquad \text{ratio} = \frac{\Delta_{d_K}(r)}{\Delta_{d_{\neg K}}(r)}`;
/** Key rise against matched controls at a relative radius, and the paired gain over the R = 0 twin (src/engine/landscape/keyVsControl.ts). */
export const TEX_KEY_VS_CONTROL = String.raw`\Delta_S(\alpha) = \tfrac12\bigl(L(\theta+\varepsilon_S)+L(\theta-\varepsilon_S)\bigr)-L(\theta),\ \ \varepsilon_{S,i} = \alpha\,|w_i|\,z_i\ (i\in S),\qquad \text{gain} = \frac{\Delta_K(\alpha)\ \text{marked}}{\Delta_K(\alpha)\ \text{twin } R=0}`;
