using System.Buffers.Binary;
using AmebaOta.Images;

namespace AmebaOta.Families.Ameba1.Images;

/// <summary>What the first bytes of an Image 2 body say: entry point, the <c>RTKWin</c> validation string, and the sketch descriptor if any.</summary>
public sealed record Image2Body(uint EntryPoint, bool HasRtkWin, SketchDescriptor? Sketch, string? SketchError)
{
    /// <summary>The entry point stock builds use.</summary>
    public const uint DefaultEntryPoint = 0x10006049;
    /// <summary>The tag a real Image 2 carries after its entry point.</summary>
    public static ReadOnlySpan<byte> RtkWin => "RTKWin\0"u8;

    /// <summary>Bytes of the body this needs to look at; callers reading from flash read at most this many.</summary>
    public const int PrefixLength = SketchDescriptor.BodyOffset + SketchDescriptor.FixedSize + SketchDescriptor.MaxNameBytes + SketchDescriptor.MaxSsidBytes
        + 1 + SketchDescriptor.MaxServerBytes;

    /// <summary>Parses the start of an Image 2 body (entry point, RTKWin, sketch descriptor).</summary>
    public static Image2Body Parse(ReadOnlySpan<byte> body)
    {
        uint entry = body.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(body) : 0xFFFFFFFF;
        bool rtkWin = body.Length >= 4 + RtkWin.Length && body.Slice(4, RtkWin.Length).SequenceEqual(RtkWin);
        var sketch = SketchDescriptor.TryRead(body, out string? error);
        return new Image2Body(entry, rtkWin, sketch, error);
    }
}
