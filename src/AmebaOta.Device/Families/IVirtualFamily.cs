using AmebaOta.Device.Sketches;
using AmebaOta.Families;
using AmebaOta.Flash;
using AmebaOta.Images;
using AmebaOta.Pins;

namespace AmebaOta.Device.Families;

/// <summary>
/// What a virtual board of one family does that boards of other families do differently: its boot code's decision and
/// log at power-on, and the example sketches its images can run. The rest of the board (flash, Wi-Fi, mDNS, serial,
/// reset and power cuts) is <see cref="VirtualBoard"/>'s and shared.
/// </summary>
public interface IVirtualFamily
{
    /// <summary>The family.</summary>
    BoardFamily Family { get; }

    /// <summary>Runs the boot code on <paramref name="flash"/> with the pins at <paramref name="pins"/>: the image chosen and the serial log.</summary>
    IBootOutcome Boot(NorFlash flash, PinLevels pins);

    /// <summary>The sketch that runs <paramref name="sketch"/> on this family's boards, or null with the reason it cannot run here.</summary>
    ISketch? SketchFor(SketchDescriptor sketch, out string? unsupported);
}
