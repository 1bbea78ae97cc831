using AmebaOta.Device.Sketches;
using AmebaOta.Images;

namespace AmebaOta.Device.Families.Ameba1.Sketches;

/// <summary>Which <see cref="ISketch"/> runs a descriptor's mode. Returns null (with a reason) for sketches this board cannot run yet.</summary>
public static class SketchCatalog
{
    public static ISketch? For(SketchMode mode, out string? unsupported)
    {
        unsupported = null;
        switch (mode)
        {
            case SketchMode.Basic:
                return new BasicOtaSketch();
            case SketchMode.NonBlock:
                return new NonBlockOtaSketch();
            case SketchMode.Cloud:
                return new CloudOtaSketch();
            case SketchMode.SdkLocal:
                return new SdkLocalOtaSketch();
            case SketchMode.SdkHttp:
                return new SdkHttpOtaSketch();
            default:
                unsupported = $"the {SketchModes.Id(mode)} sketch is not supported by this virtual board yet";
                return null;
        }
    }
}
