namespace AmebaOta.Families;

/// <summary>
/// One family of Ameba chips (Ameba1, AmebaD, AmebaPro2) as the rest of the tree sees it: its name, how its files and
/// its boards are recognised, and its image parser. Everything else that differs between families (image formats,
/// flash layout, boot decision, receivers, senders, flash timing, serial strings) lives in the family's own folder beside
/// this one; what they share (the NOR flash model, acknowledged-byte accounting, mDNS, HTTP heads, history) stays shared.
/// </summary>
public abstract class BoardFamily
{
    /// <summary>The id users type and records keep: <c>ameba1</c>, <c>amebad</c>, <c>amebapro2</c>.</summary>
    public abstract string Id { get; }

    /// <summary>For people: <c>Ameba1 (RTL8195A, RTL8710)</c>.</summary>
    public abstract string DisplayName { get; }

    /// <summary>The TXT <c>board=</c> values this family's boards advertise on mDNS (none: the family has no mDNS).</summary>
    public abstract IReadOnlyList<string> MdnsBoardIds { get; }

    /// <summary>The board models of the family, as <see cref="BoardKind"/> values.</summary>
    public abstract IReadOnlyList<BoardKind> Boards { get; }

    /// <summary>True when <paramref name="file"/> is laid out in one of this family's image formats (its first bytes
    /// say so); the parser may still find it damaged.</summary>
    public abstract bool Recognises(ReadOnlySpan<byte> file);

    /// <summary>Parses one of the family's image files held in memory; a damaged file throws
    /// <see cref="Images.ImageFormatException"/> and nothing else.</summary>
    public abstract IFirmwareImage ParseImage(byte[] bytes);

    /// <inheritdoc />
    public override string ToString() => Id;
}
