using System.Buffers.Binary;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaPro2.Images;

/// <summary>
/// Options for <see cref="Pro2ImageBuilder.Build"/>: the sketch the image carries, the manifest's VERSION level (1, as
/// every Arduino build) and TIMST (Unix seconds; default: now, as the build's "auto"), the file size, and whether the
/// checksum trailer is appended (ota.bin) or not (firmware.bin).
/// </summary>
public sealed record Pro2ImageOptions(
    SketchDescriptor Sketch,
    int ManifestVersion = Pro2Version.ArduinoLevel,
    ulong? Timestamp = null,
    int? FileSize = null,
    bool WithTrailer = true);

/// <summary>
/// Builds AmebaPro2 test images: a manifest laid out as Realtek's (label, TLV fields, VERSION, TIMST, IMGSZ), an image
/// header at 0x1000 whose fields make room for a <see cref="SketchDescriptor"/> (real firmware never has its magic there),
/// code-like filler, and the byte-sum trailer. Without <c>--size</c> the firmware is a multiple of 4 KiB, as elf2bin
/// makes it, so an ota.bin ends with a block of just the 4 checksum bytes.
/// </summary>
public static class Pro2ImageBuilder
{
    /// <summary>The smallest file for these options.</summary>
    public static int MinimumFileSize(Pro2ImageOptions options) =>
        Pro2Image.SketchBodyOffset + SketchDescriptor.BodyOffset + options.Sketch.EncodedSize + (options.WithTrailer ? Pro2Image.TrailerSize : 0);

    /// <summary>The size <see cref="Build"/> makes without <c>--size</c>: the firmware rounded up to 4 KiB, plus the trailer.</summary>
    public static int DefaultFileSize(Pro2ImageOptions options)
    {
        int firmware = MinimumFileSize(options) - (options.WithTrailer ? Pro2Image.TrailerSize : 0);
        return (firmware + Pro2Image.BlockSize - 1) / Pro2Image.BlockSize * Pro2Image.BlockSize + (options.WithTrailer ? Pro2Image.TrailerSize : 0);
    }

    /// <summary>Why these options cannot be built (one line), or null.</summary>
    public static string? Validate(Pro2ImageOptions options)
    {
        if (options.Sketch.Validate() is { } sketch) return sketch;
        if (options.ManifestVersion is < 0 or > Pro2Version.MaxLevel) return $"the manifest version must be 0 to {Pro2Version.MaxLevel}";
        if (options.FileSize is not { } size) return null;
        int minimum = MinimumFileSize(options);
        if (size < minimum) return $"--size {size} is too small: this image needs at least {minimum} bytes";
        if (size > Pro2Image.MaxFileLength) return $"--size {size} is larger than the chip ({Pro2Image.MaxFileLength} bytes)";
        if (options.WithTrailer && size % Pro2Image.BlockSize is > 0 and < Pro2Image.TrailerSize)
            return $"--size {size} leaves a last 4 KiB block of {size % Pro2Image.BlockSize} bytes, shorter than the checksum: the SDK's download loop then writes outside its buffer (real builds are a multiple of 4096 plus 4)";
        return null;
    }

    /// <summary>The image: an ota.bin, or a firmware.bin without the trailer. <paramref name="clock"/> gives "now" when no timestamp is set.</summary>
    public static byte[] Build(Pro2ImageOptions options, TimeProvider? clock = null)
    {
        if (Validate(options) is { } error) throw new ImageFormatException(error);
        int fileSize = options.FileSize ?? DefaultFileSize(options);
        int firmwareLength = fileSize - (options.WithTrailer ? Pro2Image.TrailerSize : 0);
        ulong timestamp = options.Timestamp ?? (ulong)(clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds();

        var file = new byte[fileSize];
        var firmware = file.AsSpan(0, firmwareLength);
        uint imageSize = (uint)(firmwareLength - Pro2Manifest.ImageHeaderOffset);
        Pro2Manifest.Write(firmware, Pro2ImageTypes.Firmware, Pro2Version.ForLevel(options.ManifestVersion), timestamp, imageSize);

        var body = firmware[Pro2Image.SketchBodyOffset..];
        body[..SketchDescriptor.BodyOffset].Fill(0xFF);
        BinaryPrimitives.WriteUInt32LittleEndian(body, imageSize);                     // imglen
        BinaryPrimitives.WriteUInt32LittleEndian(body[4..], 0xFFFFFFFF);               // nxtoffset: none
        BinaryPrimitives.WriteUInt16LittleEndian(body[8..], Pro2ImageTypes.Firmware);  // type_id
        options.Sketch.Write(body[SketchDescriptor.BodyOffset..]);
        FillerPattern.Fill(body[(SketchDescriptor.BodyOffset + options.Sketch.EncodedSize)..], options.Sketch.Version ^ (uint)timestamp);

        if (options.WithTrailer) BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(firmwareLength), Checksum.ByteSum(firmware));
        return file;
    }
}
