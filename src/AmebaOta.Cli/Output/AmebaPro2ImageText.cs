using System.Globalization;
using AmebaOta.Families.AmebaPro2.Flash;
using AmebaOta.Families.AmebaPro2.Images;

namespace AmebaOta.Cli.Output;

/// <summary>What <c>image info</c> says about an AmebaPro2 image (text and JSON; the dashboard shows the same lines).</summary>
public static class AmebaPro2ImageText
{
    /// <summary>The slots an image can land in: FW1/FW2 with OTA Mode: Enable, and FW2 with OTA Mode: Disable.</summary>
    private static readonly (string Name, Pro2Slot Slot)[] Slots =
    [
        ("FW1/FW2 with OTA Mode: Enable", Pro2PartitionTable.Default(otaMode: true).Fw2),
        ("FW2 with OTA Mode: Disable", Pro2PartitionTable.Default(otaMode: false).Fw2),
    ];

    public static IEnumerable<string> Lines(string fileName, Pro2Image image)
    {
        var m = image.Manifest;
        yield return $"file:          {fileName} ({image.Length} bytes)";
        yield return $"kind:          {image.KindDescription}";
        yield return $"label:         RTL8735B, manifest size 0x{m.Size:x}, {m.Fields.Count} fields";
        yield return $"type:          {(m.TypeId is { } t ? Pro2ImageTypes.Name(t) : "none")}";
        yield return $"VERSION:       {(m.Version is { } v ? $"{Pro2Version.Level(v)} ({Pro2Version.Hex(v)[..16]}…)" : "none")}";
        yield return $"TIMST:         {m.Timestamp?.ToString(CultureInfo.InvariantCulture) ?? "none"}{(image.Stamp.Time is { } time && m.Timestamp is not null ? $" ({time:yyyy-MM-dd HH:mm:ss} UTC)" : "")}";
        yield return $"IMGSZ:         {m.ImageSize?.ToString(CultureInfo.InvariantCulture) ?? "none"}";
        yield return image.Trailer is { } trailer
            ? $"trailer:       0x{trailer:x8} {(image.TrailerValid ? "= byte-sum of the firmware (ok)" : $"WRONG: the firmware's byte-sum is 0x{image.FirmwareChecksum:x8}")}"
            : $"trailer:       none (firmware.bin); its byte-sum is 0x{image.FirmwareChecksum:x8}";
        yield return $"blocks:        {image.Blocks} of 4 KiB";
        foreach (var (name, slot) in Slots)
            yield return $"fits:          {name} (0x{slot.Length:x} bytes): {(image.FitsSlot(slot.Length) ? "yes" : "NO")}";
        yield return $"sketch:        {Describe.SketchLine(image.Sketch, image.SketchError)}";
        foreach (var w in Warnings(image)) yield return $"warning:       {w}";
    }

    /// <summary>What would go wrong offering this file to a board.</summary>
    public static List<string> Warnings(Pro2Image image) => [.. Pro2ImageCheck.Problems(image)];

    public static Pro2ImageInfoJson Json(string fileName, Pro2Image image)
    {
        var m = image.Manifest;
        return new Pro2ImageInfoJson(fileName, image.Family.Id, image.Length, image.Kind == Pro2ImageKind.OtaBin ? "ota.bin" : "firmware.bin", "RTL8735B",
            image.Stamp.VersionLevel, m.Version is { } v ? Pro2Version.Hex(v) : "", image.Stamp.Timestamp,
            m.Timestamp is not null && image.Stamp.Time is { } time ? time.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : null,
            m.TypeId is { } t ? Pro2ImageTypes.Name(t) : null, m.ImageSize, image.Trailer is { } tr ? $"0x{tr:x8}" : null, $"0x{image.FirmwareChecksum:x8}",
            image.TrailerValid, image.Blocks,
            [.. Slots.Select(s => new Pro2SlotFitJson(s.Name, $"0x{s.Slot.Length:x}", image.FitsSlot(s.Slot.Length)))],
            [.. m.Fields.Select(f => new Pro2FieldJson(f.Name, f.Id, $"0x{f.Offset:x}", f.Value.Length, Convert.ToHexString(f.Value)))],
            Describe.Sketch(image.Sketch), image.SketchError, Warnings(image));
    }
}
