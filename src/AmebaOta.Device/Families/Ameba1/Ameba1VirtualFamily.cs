using AmebaOta.Device.Families.Ameba1.Sketches;
using AmebaOta.Device.Sketches;
using AmebaOta.Families;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Device.Families.Ameba1;

/// <summary>A virtual RTL8195A / RTL8710: the Ameba1 example sketches (docs/reference section 8).</summary>
public sealed class Ameba1VirtualFamily : IVirtualFamily
{
    /// <summary>The one instance.</summary>
    public static Ameba1VirtualFamily Instance { get; } = new();

    private Ameba1VirtualFamily() { }

    /// <inheritdoc />
    public BoardFamily Family => BoardFamilies.Ameba1;

    /// <inheritdoc />
    public ISketch? SketchFor(SketchDescriptor sketch, out string? unsupported) => SketchCatalog.For(sketch.Mode, out unsupported);
}
