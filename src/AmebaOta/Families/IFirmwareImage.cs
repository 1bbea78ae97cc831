using AmebaOta.Images;

namespace AmebaOta.Families;

/// <summary>
/// A firmware file of some family, parsed: what the family-independent parts (history, fleets, the dashboard, servers)
/// need to know of it. The family's own type says the rest.
/// </summary>
public interface IFirmwareImage
{
    /// <summary>The family whose format the file is in.</summary>
    BoardFamily Family { get; }

    /// <summary>The whole file.</summary>
    byte[] Bytes { get; }

    /// <summary>File length in bytes.</summary>
    int Length { get; }

    /// <summary>u32 wrapping byte sum of the whole file.</summary>
    uint Checksum { get; }

    /// <summary>The sketch a test image carries for the virtual board (null: real code, or a damaged descriptor).</summary>
    SketchDescriptor? Sketch { get; }

    /// <summary>Which build output the file is, for people: <c>Image 2, unsigned (ota.bin / ram_2.ns.bin)</c>.</summary>
    string KindDescription { get; }
}
