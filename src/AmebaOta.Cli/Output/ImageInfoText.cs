using AmebaOta.Families.Ameba1.Images;

namespace AmebaOta.Cli.Output;

/// <summary>What <c>image info</c> prints for an image, line by line (its warnings last): the dashboard shows the same lines.</summary>
public static class ImageInfoText
{
    /// <summary>The lines for an image of any family: its family's own lines where <c>image info</c> has them.</summary>
    public static IEnumerable<string> Lines(string fileName, AmebaOta.Families.IFirmwareImage image) => image switch
    {
        ImageFile ameba1 => Lines(fileName, ameba1),
        _ =>
        [
            $"file:          {fileName} ({image.Length} bytes)",
            $"family:        {image.Family.DisplayName}",
            $"kind:          {image.KindDescription}",
            $"checksum:      0x{image.Checksum:x8} ({image.Checksum}) - byte sum of the whole file, as the OTA header carries it",
            $"sketch:        {Describe.SketchLine(image.Sketch, null)}",
        ],
    };

    public static IEnumerable<string> Lines(string fileName, ImageFile image)
    {
        var h = image.Image2;
        yield return $"file:          {fileName} ({image.Length} bytes)";
        yield return $"kind:          {ImageFileKinds.Describe(image.Kind)}";
        if (image.Kind == ImageFileKind.RamAll) yield return $"Image 2 at:    0x{image.Image2Offset:x} (from the Image 1 header)";
        yield return $"Image 2:       length {h.Length} (0x{h.Length:x}), load to 0x{h.LoadAddress:x}";
        yield return $"signature:     {ImageSignature.Describe(h.Signature)}";
        yield return $"entry point:   0x{image.Body.EntryPoint:x8}";
        yield return $"RTKWin:        {(image.Body.HasRtkWin ? "present" : "MISSING (the boot loader would print \"Invalid Image2 Signature\")")}";
        yield return $"Image 3:       {(image.Image3 is { } img3 ? $"length {img3.Length} (0x{img3.Length:x}), load to 0x{img3.LoadAddress:x}" : "none")}";
        yield return $"checksum:      0x{image.Checksum:x8} ({image.Checksum}) - byte sum of the whole file, as the OTA header carries it";
        if (image.TrailingBytes > 0) yield return $"trailing:      {image.TrailingBytes} bytes after the last segment";
        yield return $"sketch:        {Describe.SketchLine(image.Body.Sketch, image.Body.SketchError)}";
        foreach (var w in Commands.ImageCommands.ImageWarnings(image)) yield return $"warning:       {w}";
    }
}
