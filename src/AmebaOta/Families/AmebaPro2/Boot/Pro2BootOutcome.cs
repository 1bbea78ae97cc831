using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaPro2.Boot;

/// <summary>How an AmebaPro2 boot ended.</summary>
public enum Pro2BootResult
{
    /// <summary>A firmware slot was loaded.</summary>
    Started,
    /// <summary>No partition table in flash (an erased chip): the ROM stops.</summary>
    NoPartitionTable,
    /// <summary>No boot loader image where the table puts it.</summary>
    NoBootLoader,
    /// <summary>Neither slot starts with the label: nothing to load.</summary>
    NoFirmware,
}

/// <summary>One firmware slot as the boot code saw it: its place, whether its label is valid, and its stamp.</summary>
public sealed record Pro2SlotState(Pro2Slot Slot, bool Valid, Pro2BuildStamp? Stamp, string? Problem);

/// <summary>What the AmebaPro2 boot code decided at one power-on (<see cref="Pro2BootLoader.Boot"/>).</summary>
public sealed record Pro2BootOutcome(
    Pro2BootResult Result,
    IReadOnlyList<string> Log,
    Pro2PartitionTable? Table,
    Pro2SlotState? Fw1,
    Pro2SlotState? Fw2,
    int? ChosenSlot,
    SketchDescriptor? Sketch,
    string? SketchError,
    string Reason) : IBootOutcome
{
    /// <inheritdoc />
    public bool Started => Result == Pro2BootResult.Started;

    /// <inheritdoc />
    public uint? ChosenAddress => ChosenSlot is { } slot && Table is { } table ? table.Slot(slot).Start : null;

    /// <inheritdoc />
    public string OutcomeName => Result.ToString();

    /// <summary>The running firmware's stamp (null when nothing started).</summary>
    public Pro2BuildStamp? RunningStamp => ChosenSlot switch { 1 => Fw1?.Stamp, 2 => Fw2?.Stamp, _ => null };
}
