using AmebaOta.Device.Sketches;
using AmebaOta.Families;
using AmebaOta.Images;

namespace AmebaOta.Device.Families.AmebaD;

/// <summary>A virtual AmebaD board (BW16, AMB21–AMB26): the AmebaD example sketches (docs/reference section 11).</summary>
public sealed class AmebaDVirtualFamily : IVirtualFamily
{
    /// <summary>The one instance.</summary>
    public static AmebaDVirtualFamily Instance { get; } = new();

    private AmebaDVirtualFamily() { }

    /// <inheritdoc />
    public BoardFamily Family => BoardFamilies.AmebaD;

    /// <inheritdoc />
    public ISketch? SketchFor(SketchDescriptor sketch, out string? unsupported)
    {
        unsupported = $"the AmebaD {SketchModes.Id(sketch.Mode)} sketch is not supported by this virtual board yet";
        return null;
    }
}
