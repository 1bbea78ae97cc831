using AmebaOta.Device.Families.Ameba1.Sketches;
using AmebaOta.Device.Sketches;
using AmebaOta.Families;
using AmebaOta.Families.Ameba1.Boot;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;

namespace AmebaOta.Device.Families.Ameba1;

/// <summary>A virtual RTL8195A / RTL8710: Image 1's boot decision (docs/reference section 4) and the Ameba1 example sketches.</summary>
public sealed class Ameba1VirtualFamily : IVirtualFamily
{
    /// <summary>The one instance.</summary>
    public static Ameba1VirtualFamily Instance { get; } = new();

    private Ameba1VirtualFamily() { }

    /// <inheritdoc />
    public BoardFamily Family => BoardFamilies.Ameba1;

    /// <inheritdoc />
    public IBootOutcome Boot(NorFlash flash, PinLevels pins) => BootLoader.Boot(flash, pins);

    /// <inheritdoc />
    public ISketch? SketchFor(SketchDescriptor sketch, out string? unsupported) => SketchCatalog.For(sketch.Mode, out unsupported);
}
