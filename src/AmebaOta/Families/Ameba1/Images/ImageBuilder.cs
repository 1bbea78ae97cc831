using System.Buffers.Binary;
using AmebaOta.Images;

namespace AmebaOta.Families.Ameba1.Images;

/// <summary>Options for <see cref="ImageBuilder.Build"/>: the sketch to describe and the shape of the file.</summary>
public sealed record ImageBuildOptions(
    SketchDescriptor Sketch,
    int? FileSize = null,
    bool WithImage3 = false,
    bool Signed = false)
{
    /// <summary>Length of the Image 3 body <c>--sdram</c> adds.</summary>
    public const int Image3BodyLength = 256;
}

/// <summary>Builds test firmware in the Arduino package's formats: an Image 2 whose body starts like real firmware and carries a <see cref="SketchDescriptor"/>.</summary>
public static class ImageBuilder
{
    /// <summary>The smallest file <see cref="Build"/> can produce for this sketch and these options.</summary>
    public static int MinimumFileSize(ImageBuildOptions options) =>
        Align4(SegmentHeader.Size + SketchDescriptor.BodyOffset + options.Sketch.EncodedSize)
        + (options.WithImage3 ? SegmentHeader.Size + ImageBuildOptions.Image3BodyLength : 0);

    /// <summary>An image file in ota.bin format (unsigned), or ram_2.p.bin format when <see cref="ImageBuildOptions.Signed"/>.</summary>
    public static byte[] Build(ImageBuildOptions options)
    {
        int minimum = MinimumFileSize(options);
        int fileSize = options.FileSize ?? minimum;
        if (fileSize < minimum)
            throw new ImageFormatException($"--size {fileSize} is too small: this image needs at least {minimum} bytes");
        int image3Total = options.WithImage3 ? SegmentHeader.Size + ImageBuildOptions.Image3BodyLength : 0;
        int bodyLength = fileSize - SegmentHeader.Size - image3Total;

        var file = new byte[fileSize];
        var header = new SegmentHeader((uint)bodyLength, SegmentHeader.SramLoadAddress, 0, 0)
            .WithSignature(options.Signed ? SignatureState.New : SignatureState.Unsigned);
        header.Write(file);

        var body = file.AsSpan(SegmentHeader.Size, bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(body, Image2Body.DefaultEntryPoint);
        Image2Body.RtkWin.CopyTo(body[4..]);
        options.Sketch.Write(body[SketchDescriptor.BodyOffset..]);
        int padStart = SketchDescriptor.BodyOffset + options.Sketch.EncodedSize;
        FillerPattern.Fill(body[padStart..], options.Sketch.Version);

        if (options.WithImage3)
        {
            var image3 = file.AsSpan(SegmentHeader.Size + bodyLength);
            new SegmentHeader(ImageBuildOptions.Image3BodyLength, SegmentHeader.SdramLoadAddress, 0xFFFFFFFF, 0xFFFFFFFF).Write(image3);
            FillerPattern.Fill(image3[SegmentHeader.Size..], ~options.Sketch.Version);
        }
        return file;
    }

    private static int Align4(int n) => (n + 3) & ~3;
}
