using AmebaOta.Families.AmebaPro2.Flash;

namespace AmebaOta.Families.AmebaPro2.Images;

/// <summary>
/// What a host checks before it offers an AmebaPro2 image to a board (docs/reference section 11.4): the label, the
/// trailer, the slot it must fit, and whether the board would boot it once written. Each check is one sentence, or
/// null when it passes.
/// </summary>
public static class Pro2ImageCheck
{
    /// <summary>The trailer: a firmware.bin has none; a wrong one makes every board fail its checksum after writing the image.</summary>
    public static string? Trailer(Pro2Image image) => image.Kind == Pro2ImageKind.FirmwareBin
        ? "this is firmware.bin without the checksum trailer; boards download ota.bin (firmware.bin + its byte-sum as 4 bytes LE), which the Arduino build makes with OTA Mode: Enable"
        : image.TrailerValid ? null
        : $"the last 4 bytes (0x{image.Trailer:x8}) are not the byte-sum of the rest (0x{image.FirmwareChecksum:x8}): a board would write the whole image and then fail its checksum";

    /// <summary>The slot: the board refuses, before writing, an image whose 4 KiB blocks exceed the slot.</summary>
    public static string? Fits(Pro2Image image, Pro2Slot slot) => image.FitsSlot(slot.Length) ? null
        : $"the image needs {image.Blocks} blocks of 4 KiB ({(long)image.Blocks * Pro2Image.BlockSize} bytes) but FW{slot.Index} holds 0x{slot.Length:x} bytes"
          + (slot.Length == Pro2PartitionTable.OtaModeOffFw2Length ? " (the board was built with OTA Mode: Disable, whose FW2 is 64 KiB; build and upload once with Tools > OTA Mode > Enable)" : "");

    /// <summary>Whether a board running <paramref name="running"/> would boot the image once it lands in <paramref name="targetSlot"/> (1 or 2; null: either).</summary>
    public static string? WouldBoot(Pro2Image image, Pro2BuildStamp running, int? targetSlot = null)
    {
        bool boots = targetSlot is { } slot ? Pro2BuildStamp.WouldBoot(running, image.Stamp, slot) : Pro2BuildStamp.IsNewer(image.Stamp, running);
        if (boots) return null;
        return image.Stamp.VersionLevel < running.VersionLevel
            ? $"the image's manifest version {image.Stamp.VersionLevel} is lower than the running firmware's {running.VersionLevel}: the board would write it and keep booting its current firmware"
            : $"the image ({image.Stamp}) is not newer than the running firmware ({running}): the board would write it and keep booting its current firmware";
    }

    /// <summary>Every problem for a board whose target slot is <paramref name="slot"/> and which runs <paramref name="running"/> (each optional), in that order.</summary>
    public static IReadOnlyList<string> Problems(Pro2Image image, Pro2Slot? slot = null, Pro2BuildStamp? running = null)
    {
        var problems = new List<string>();
        if (Trailer(image) is { } trailer) problems.Add(trailer);
        if (image.LastBlockShorterThanTrailer)
            problems.Add($"the file's last 4 KiB block holds {image.Length % Pro2Image.BlockSize} bytes, fewer than the 4-byte checksum: the SDK then reads before and writes past its buffer (a real board crashes)");
        if (slot is { } s && Fits(image, s) is { } fits) problems.Add(fits);
        if (running is { } r && WouldBoot(image, r, slot?.Index) is { } boot) problems.Add(boot);
        return problems;
    }
}
