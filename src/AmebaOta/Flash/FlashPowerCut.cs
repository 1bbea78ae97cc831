namespace AmebaOta.Flash;

/// <summary>
/// A power cut planned at the <see cref="AtOperation"/>-th erase or program (1-based, counted from when the plan is set).
/// With <see cref="Tear"/> the interrupted operation is left half done: the first half of the sector erased or
/// the first half of the bytes programmed, as happens when power drops mid-operation on real NOR flash.
/// </summary>
public sealed record FlashPowerCut(long AtOperation, bool Tear = false);

/// <summary>Thrown by <see cref="NorFlash"/> when an injected power cut stops an operation; the chip stays unpowered until <see cref="NorFlash.PowerOn"/>.</summary>
public sealed class PowerCutException(long operation)
    : Exception($"power cut at flash operation {operation}")
{
    /// <summary>The number of the flash operation at which power was cut.</summary>
    public long Operation { get; } = operation;
}
