using System.Globalization;
using AmebaOta.Cli.Output;
using AmebaOta.Families.AmebaPro2.Boot;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;
using AmebaOta.Flash;
using AmebaOta.Images;

namespace AmebaOta.Cli.Commands;

/// <summary>The AmebaPro2 side of <c>flash create|dap|info|boot</c>: the partition table, FW1 and FW2, and the boot choice between them.</summary>
public static class AmebaPro2FlashCommands
{
    public static string CreatedLine(string name, NorFlash chip)
    {
        var table = Pro2PartitionTable.Read(chip)!;
        return $"created {name}: blank {chip.Size >> 20} MiB AmebaPro2 chip, partition table with OTA Mode: {(table.OtaMode ? "Enable" : "Disable")} " +
            $"(FW1 0x{table.Fw1.Start:x} 0x{table.Fw1.Length:x} bytes, FW2 0x{table.Fw2.Start:x} 0x{table.Fw2.Length:x} bytes), boot loader at 0x{Pro2PartitionTable.BootLoaderStart:x}, no firmware";
    }

    public static int Dap(NorFlash flash, string imagePath, bool? otaMode, Action save)
    {
        var image = Pro2Image.Load(imagePath);
        if (image.Kind == Pro2ImageKind.OtaBin && !image.TrailerValid)
            Diagnostics.Warning($"{Path.GetFileName(imagePath)}: {Pro2ImageCheck.Trailer(image)}");
        var result = Pro2UsbUpload.Write(flash, image, otaMode);
        save();
        Console.WriteLine($"wrote {result.BytesWritten} bytes of firmware into FW1 at 0x{result.Slot.Start:x} ({result.SectorsErased} sectors erased)" +
            (result.TableRewritten ? $", partition table rewritten for OTA Mode: {(otaMode == true ? "Enable" : "Disable")}" : "") + "; FW2 left as it was");
        Console.WriteLine($"manifest: {image.Stamp}");
        if (image.Sketch is { } s) Console.WriteLine($"sketch: {Describe.SketchLine(s, null)}");
        var boot = Pro2BootLoader.Boot(flash);
        if (boot.ChosenSlot == 2)
            Diagnostics.Warning($"FW2 still boots: {boot.Reason} (a USB upload writes FW1 only; erase the chip with 'flash create --force' to start over)");
        return ExitCodes.Ok;
    }

    public static int Info(string name, NorFlash flash, bool json)
    {
        var report = Pro2FlashReport.Inspect(flash);
        if (json)
        {
            JsonOut.Write(new Pro2FlashInfoJson(name, "amebapro2", report.ChipSize, report.Table is not null, report.Table?.OtaMode,
                SlotJson(report.Fw1), SlotJson(report.Fw2), BootJson(report.Boot)), Pro2JsonContext.Default.Pro2FlashInfoJson);
            return ExitCodes.Ok;
        }
        Console.WriteLine($"flash:            {name} ({report.ChipSize >> 20} MiB, AmebaPro2)");
        if (report.Table is not { } table)
        {
            Console.WriteLine("partition table:  MISSING (no label at 0x1000): the boot ROM stops");
            return ExitCodes.Ok;
        }
        Console.WriteLine($"partition table:  0x1000 (manifest), 0x2000 (table): OTA Mode: {(table.OtaMode ? "Enable" : "Disable (FW2 too small for any OTA)")}");
        Console.WriteLine($"boot loader:      0x{table.Records[table.BootIndex].Start:x}");
        foreach (var slot in new[] { report.Fw1, report.Fw2 })
            if (slot is not null) Console.WriteLine(SlotLine(slot));
        WriteBoot(report.Boot);
        return ExitCodes.Ok;
    }

    private static string SlotLine(Pro2SlotReport s)
    {
        string head = $"FW{s.Slot.Index}:              0x{s.Slot.Start:x}, 0x{s.Slot.Length:x} bytes: ";
        if (!s.Labelled) return head + $"no valid label ({s.Problem})";
        string sketch = s.Sketch is { } k ? $", sketch v{k.Version} {SketchModes.Id(k.Mode)}" : ", no sketch descriptor";
        return head + $"RTL8735B, {s.Stamp}{sketch}";
    }

    private static void WriteBoot(Pro2BootOutcome boot)
    {
        string what = boot.ChosenSlot is { } slot ? $"FW{slot}" + (boot.Sketch is { } s ? $" (version {s.Version})" : "") : $"nothing ({boot.Result})";
        Console.WriteLine($"boots:            {what}");
        Console.WriteLine($"  why:            {boot.Reason}");
    }

    public static int Boot(NorFlash flash, bool json)
    {
        var boot = Pro2BootLoader.Boot(flash);
        if (json) JsonOut.Write(BootJson(boot), Pro2JsonContext.Default.Pro2BootJson);
        else foreach (var line in boot.Log) Console.WriteLine(line);
        return boot.Started ? ExitCodes.Ok : ExitCodes.BootFailed;
    }

    private static Pro2BootJson BootJson(Pro2BootOutcome boot) =>
        new(boot.OutcomeName, boot.ChosenSlot, boot.ChosenAddress is { } a ? $"0x{a:x}" : null, boot.Reason, boot.Log, Describe.Sketch(boot.Sketch));

    private static Pro2SlotJson? SlotJson(Pro2SlotReport? s) => s is null ? null :
        new(s.Slot.Index, $"0x{s.Slot.Start:x}", $"0x{s.Slot.Length:x}", s.Labelled, s.Stamp?.VersionLevel, s.Stamp?.Timestamp,
            s.Stamp?.Time?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), Describe.Sketch(s.Sketch), s.Problem);
}
