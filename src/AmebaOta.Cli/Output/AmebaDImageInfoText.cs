using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Families.AmebaD.Images;
using AmebaOta.Families.AmebaD.Push;

namespace AmebaOta.Cli.Output;

/// <summary>What <c>image info</c> prints for an AmebaD file, and its JSON: the layout, and what a board would do with it (docs/reference section 11.2).</summary>
public static class AmebaDImageInfoText
{
    /// <summary>Sectors a board erases for an image of <paramref name="length"/> bytes (<c>(len - 1) / 4096 + 1</c>).</summary>
    public static long SectorsErased(uint length) => unchecked((length - 1) / (uint)AmebaDFlashLayout.SectorSize + 1);

    public static IEnumerable<string> Lines(string fileName, AmebaDImageFile file)
    {
        var check = AmebaDPreflight.Check(file);
        var ota = file.ToOtaAll();
        var header = ota.Header!.Value;
        yield return $"file:          {fileName} ({file.Length} bytes)";
        yield return $"kind:          {file.KindDescription}";
        if (file.Header is { } h)
            yield return $"OTA header:    FwVer 0x{h.FwVer:x8}, HdrNum {h.HdrNum}, ImgId \"{h.IdText}\", ImgHdrLen {h.ImgHdrLen}, Checksum 0x{h.Checksum:x8}, " +
                         $"ImgLen {h.ImgLen}, Offset {h.Offset}, FlashAddr 0x{h.FlashAddr:x8}";
        else
            yield return "OTA header:    none: sent over the air it is wrapped as Realtek's ImageTool wraps it ('image ota-all' writes that OTA_All.bin)";
        if (file.Image is { } image)
        {
            yield return $"KM0 image 2:   {Part(image.Km0, 0)}, RTKWin {(image.Km0HasRtkWin ? "present" : "MISSING")}";
            yield return image.Km4.Count == 0 ? "KM4 image 2:   NONE"
                : $"KM4 image 2:   {Part(image.Km4, image.Km4Offset)}, RTKWin {(image.Km4HasRtkWin ? "present" : "MISSING")}";
        }
        else yield return $"image:         {file.ImageError}";
        string match = header.Checksum == ota.ImageChecksum ? "matches the header" : $"the header says 0x{header.Checksum:x8}: MISMATCH";
        yield return $"checksum:      0x{file.ImageChecksum:x8} ({file.ImageChecksum}) - byte sum of the image, what a board computes; {match}";
        yield return $"file sum:      0x{ota.Checksum:x8} ({ota.Checksum}) - byte sum of the OTA_All.bin, what the 12-byte push preamble carries (a board ignores it)";
        yield return $"signature:     {SubImageHeader.DescribeSignature(file.Signature)} - the first 8 bytes, which a board holds back and writes last";
        yield return $"bank:          a board running OTA1 writes {OtaBanks.Describe(OtaBank.Ota2)}, one running OTA2 writes {OtaBanks.Describe(OtaBank.Ota1)}; " +
                     $"{header.ImgLen} of {AmebaDFlashLayout.BankSize} bytes: {(header.ImgLen <= AmebaDFlashLayout.BankSize ? "fits" : "DOES NOT FIT")}, {SectorsErased(header.ImgLen)} sectors erased first";
        yield return $"time:          {Time(header.ImgLen, AmebaDFlashTiming.Typical)}; slow flash: {Time(header.ImgLen, AmebaDFlashTiming.Slow)}";
        if (file.Kind == AmebaDImageKind.Km0Km4Image2)
            yield return "USB:           a USB upload writes this file into OTA1 (0x08006000); a board whose OTA2 holds a valid image (after an OTA into OTA2) keeps booting OTA2: " +
                         "erase the flash first, or update over the air";
        yield return $"sketch:        {Describe.SketchLine(file.Sketch, file.SketchError)}";
        foreach (var r in check.Refusals) yield return $"refused:       {r}";
        foreach (var w in check.Warnings) yield return $"warning:       {w}";
    }

    /// <summary><c>typical flash: 11.0 s erase + 4.9 s write + 0.7 s verify = 16.8 s</c>.</summary>
    private static string Time(uint imageLength, Flash.FlashTiming timing)
    {
        var t = AmebaDOtaTime.Estimate(timing, imageLength);
        return $"{(timing == AmebaDFlashTiming.Typical ? "typical flash: " : "")}{t.Erase.TotalSeconds:0.0} s erase (nothing read meanwhile) + {t.Write.TotalSeconds:0.0} s write + " +
               $"{t.Verify.TotalSeconds:0.0} s verify = {t.Total.TotalSeconds:0.0} s on the board";
    }

    private static string Part(IReadOnlyList<SubImage> part, int offset) =>
        $"at 0x{offset:x}: " + string.Join(", ", part.Select(s => $"{s.Kind} {s.Header.Size} bytes to 0x{s.Header.LoadAddress:x8}"));

    public static AmebaDImageInfoJson Json(string fileName, AmebaDImageFile file)
    {
        var check = AmebaDPreflight.Check(file);
        var ota = file.ToOtaAll();
        var header = ota.Header!.Value;
        var image = file.Image;
        static List<SubImageJson> Segments(IReadOnlyList<SubImage>? part) =>
            part is null ? [] : [.. part.Select(s => new SubImageJson(Describe.Hex((uint)s.Offset), s.Kind.ToString().ToLowerInvariant(), s.Header.Size, $"0x{s.Header.LoadAddress:x8}"))];
        return new AmebaDImageInfoJson(fileName, file.Length, "amebad",
            file.Kind == AmebaDImageKind.OtaAll ? "ota-all" : "km0-km4-image2",
            file.Header is { } h ? new OtaAllHeaderJson($"0x{h.FwVer:x8}", h.HdrNum, h.IdText, h.ImgHdrLen, $"0x{h.Checksum:x8}", h.ImgLen, h.Offset, $"0x{h.FlashAddr:x8}") : null,
            file.ImageOffset, file.ImageLength, Segments(image?.Km0), image is null ? null : Describe.Hex((uint)image.Km4Offset), Segments(image?.Km4),
            image?.Km0HasRtkWin ?? false, image?.Km4HasRtkWin ?? false, file.ImageError,
            $"0x{file.ImageChecksum:x8}", header.Checksum == ota.ImageChecksum, $"0x{ota.Checksum:x8}",
            SubImageHeader.DescribeSignature(file.Signature), header.ImgLen <= AmebaDFlashLayout.BankSize, AmebaDFlashLayout.BankSize,
            SectorsErased(header.ImgLen), Describe.Sketch(file.Sketch), file.SketchError, check.Refusals, check.Warnings);
    }
}
