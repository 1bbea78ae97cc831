using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaPro2.Flash;

/// <summary>One firmware slot as <c>flash info</c> shows it: the slot, its label, its manifest stamp and the sketch it carries.</summary>
public sealed record Pro2SlotReport(Pro2Slot Slot, bool Labelled, Pro2BuildStamp? Stamp, SketchDescriptor? Sketch, string? Problem);

/// <summary>An AmebaPro2 flash file, read: the partition table, both slots, and what boots.</summary>
public sealed record Pro2FlashReport(int ChipSize, Pro2PartitionTable? Table, Pro2SlotReport? Fw1, Pro2SlotReport? Fw2, Pro2BootOutcome Boot)
{
    /// <summary>Reads the chip (without touching it).</summary>
    public static Pro2FlashReport Inspect(NorFlash flash)
    {
        var boot = Pro2BootLoader.Boot(flash);
        var table = Pro2PartitionTable.Read(flash);
        return new Pro2FlashReport(flash.Size, table,
            table is null || boot.Fw1 is null ? null : Slot(flash, boot.Fw1),
            table is null || boot.Fw2 is null ? null : Slot(flash, boot.Fw2), boot);
    }

    private static Pro2SlotReport Slot(NorFlash flash, Pro2SlotState state)
    {
        var body = flash.Read(state.Slot.Start + (uint)Pro2Image.SketchBodyOffset, SketchDescriptor.BodyOffset + 255);
        var sketch = SketchDescriptor.TryRead(body, out _);
        return new Pro2SlotReport(state.Slot, state.Valid, state.Stamp, sketch, state.Problem);
    }
}
