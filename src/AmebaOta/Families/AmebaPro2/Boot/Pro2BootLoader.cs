using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaPro2.Boot;

/// <summary>
/// The AmebaPro2 boot ROM and boot loader as far as they decide what runs (docs/reference section 11.3): the ROM loads
/// the partition table, the boot loader looks at FW1 and FW2, keeps those whose first 8 bytes are the label RTL8735B,
/// and loads the one with the higher manifest VERSION, or with equal versions the newer TIMST, FW2 on a tie
/// (<c>IMG_SELECT_LATEST_LOAD_CORE</c>). The log's lines are the ROM's and the boot loader's own strings (a real
/// board's log, Realtek's <c>boot.bin</c>).
/// </summary>
public static class Pro2BootLoader
{
    /// <summary>What the boot loader prints as its build date and time (Realtek's <c>boot.bin</c> of the Arduino package).</summary>
    public const string BootLoaderBuild = "Jan 31 2025:15:19:16";

    /// <summary>The ROM's banner, as real boards print it.</summary>
    public static IReadOnlyList<string> RomBanner { get; } =
        ["== Rtl8735b IoT Platform ==", "Chip VID: 0, Ver: 0", "ROM Version: v3.0", "", "[Normal mode]", "BootFromNORFlash", "[Start Boot ROM...]", "=== Load PARTBL ==="];

    /// <summary>Runs the boot decision on <paramref name="flash"/>; reads cost flash time as they would on the chip.</summary>
    public static Pro2BootOutcome Boot(NorFlash flash)
    {
        var log = new List<string>(RomBanner);
        var table = Pro2PartitionTable.Read(flash);
        if (table is null)
        {
            log.Add("");
            log.Add("[BOOT Err]StartUp@0x0: Invalid RAM Img Signature!Boot_err(0xe2001811)");
            return new Pro2BootOutcome(Pro2BootResult.NoPartitionTable, log, null, null, null, null, null, null,
                "no partition table at 0x1000 (an erased chip): the boot ROM stops");
        }
        var bootLoader = table.Records[table.BootIndex];
        if (!Pro2Manifest.HasLabel(flash.Read(bootLoader.Start, Pro2Manifest.LabelSize)))
        {
            log.Add("");
            log.Add("[BOOT Err]StartUp@0x0: Invalid RAM Img Signature!Boot_err(0xe3001811)");
            return new Pro2BootOutcome(Pro2BootResult.NoBootLoader, log, table, null, null, null, null, null,
                $"no boot loader image at 0x{bootLoader.Start:x}: the boot ROM stops");
        }
        log.Add("== Boot Loader ==");
        log.Add(BootLoaderBuild);
        var fw1 = Inspect(flash, table.Fw1);
        var fw2 = Inspect(flash, table.Fw2);
        int? chosen = (fw1.Valid, fw2.Valid) switch
        {
            (true, true) => Pro2BuildStamp.ChooseSlot(fw1.Stamp!.Value, fw2.Stamp!.Value),
            (true, false) => 1,
            (false, true) => 2,
            _ => null,
        };
        if (chosen is not { } slot)
        {
            log.Add("[BOOT Err]Invalid Image Mani Label!");
            log.Add("[BOOT Err]load_fw_idx err:-1");
            return new Pro2BootOutcome(Pro2BootResult.NoFirmware, log, table, fw1, fw2, null, null, null,
                "neither FW1 nor FW2 starts with the label RTL8735B: no firmware to load");
        }
        log.Add($"=== Load FW{slot} ===");
        log.Add("=== FW Load Done ===");
        log.Add("Boot Loader <==");
        var start = table.Slot(slot).Start;
        var body = flash.Read(start + (uint)Pro2Image.SketchBodyOffset, SketchDescriptor.BodyOffset + 255);
        var sketch = SketchDescriptor.TryRead(body, out string? sketchError);
        return new Pro2BootOutcome(Pro2BootResult.Started, log, table, fw1, fw2, slot, sketch, sketchError, Reason(slot, fw1, fw2));
    }

    private static Pro2SlotState Inspect(NorFlash flash, Pro2Slot slot)
    {
        var manifest = flash.Read(slot.Start, Pro2Manifest.TotalSize);
        if (!Pro2Manifest.HasLabel(manifest)) return new Pro2SlotState(slot, false, null, "no label (erased, or written without its label)");
        try
        {
            var parsed = Pro2Manifest.Read(manifest);
            if (parsed.Size is > Pro2Manifest.SignatureOffset or < Pro2Manifest.FieldsOffset)
                return new Pro2SlotState(slot, false, null, $"its manifest size 0x{parsed.Size:x} is invalid");
            return new Pro2SlotState(slot, true, parsed.Stamp, null);
        }
        catch (ImageFormatException e)
        {
            return new Pro2SlotState(slot, false, null, e.Message);
        }
    }

    private static string Reason(int chosen, Pro2SlotState fw1, Pro2SlotState fw2)
    {
        var (winner, loser) = chosen == 1 ? (fw1, fw2) : (fw2, fw1);
        if (!loser.Valid) return $"only FW{chosen} has a valid label ({winner.Stamp})";
        var w = winner.Stamp!.Value;
        var l = loser.Stamp!.Value;
        if (w.VersionLevel != l.VersionLevel) return $"FW{chosen}'s manifest version {w.VersionLevel} is higher than FW{loser.Slot.Index}'s {l.VersionLevel}";
        if (w.Timestamp != l.Timestamp) return $"FW{chosen} ({w}) is newer than FW{loser.Slot.Index} ({l})";
        return $"FW1 and FW2 carry the same version and timestamp ({w}): FW2 wins the tie";
    }
}
