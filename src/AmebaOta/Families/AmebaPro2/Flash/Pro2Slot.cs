namespace AmebaOta.Families.AmebaPro2.Flash;

/// <summary>A firmware slot as the partition table gives it: FW1 or FW2, its start address and its length.</summary>
public sealed record Pro2Slot(int Index, uint Start, uint Length)
{
    /// <summary>The slot that is not <paramref name="index"/> (the OTA target when <paramref name="index"/> runs).</summary>
    public static int Other(int index) => index == 1 ? 2 : 1;

    /// <inheritdoc />
    public override string ToString() => $"FW{Index} at 0x{Start:x} (0x{Length:x} bytes)";
}
