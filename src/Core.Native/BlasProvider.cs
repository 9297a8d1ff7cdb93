namespace DenseAm.Native;

/// <summary>Placeholder namespace anchor; the BLAS providers arrive with the distance engine.</summary>
internal static class NativeAnchor
{
}
