using AmebaOta.Families.AmebaD.Flash;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaD.Images;

/// <summary>Which AmebaD file a file is.</summary>
public enum AmebaDImageKind
{
    /// <summary><c>OTA_All.bin</c>: the 32-byte OTA header, then the image. What a board takes over the air.</summary>
    OtaAll,
    /// <summary><c>km0_km4_image2.bin</c>: the Arduino build output, what a USB upload writes into OTA1.</summary>
    Km0Km4Image2,
}

/// <summary>
/// An AmebaD image file, parsed: an <c>OTA_All.bin</c> or a bare <c>km0_km4_image2.bin</c> (Arduino build output or one made
/// by <see cref="AmebaDImageBuilder"/>). Parsing is lenient about the OTA header (a wrong id, offset or checksum is what
/// <see cref="Push.AmebaDPreflight"/> refuses and <c>image info</c> shows) and throws only
/// <see cref="ImageFormatException"/>, for a file that is neither.
/// </summary>
public sealed class AmebaDImageFile : IFirmwareImage
{
    /// <summary>Largest file taken: a 2 MiB chip.</summary>
    public const int MaxFileLength = AmebaDFlashLayout.ChipSize;

    private AmebaDImageFile(byte[] bytes, AmebaDImageKind kind, OtaAllHeader? header, int imageOffset, int imageLength,
        Km0Km4Image? image, string? imageError)
    {
        Bytes = bytes;
        Kind = kind;
        Header = header;
        ImageOffset = imageOffset;
        ImageLength = imageLength;
        Image = image;
        ImageError = imageError;
        Checksum = AmebaOta.Images.Checksum.ByteSum(bytes);
        ImageChecksum = AmebaOta.Images.Checksum.ByteSum(ImageBytes);
    }

    /// <inheritdoc />
    public BoardFamily Family => BoardFamilies.AmebaD;

    /// <summary>The whole file.</summary>
    public byte[] Bytes { get; }

    /// <inheritdoc />
    public int Length => Bytes.Length;

    /// <summary>OTA_All.bin or km0_km4_image2.bin.</summary>
    public AmebaDImageKind Kind { get; }

    /// <summary>The OTA header of an <c>OTA_All.bin</c> (null for a bare image).</summary>
    public OtaAllHeader? Header { get; }

    /// <summary>Where the image starts in the file: the header's <c>Offset</c>, or 0 for a bare image.</summary>
    public int ImageOffset { get; }

    /// <summary>Bytes of the image the file holds from <see cref="ImageOffset"/>: <c>ImgLen</c> or what is left of the file, whichever is less.</summary>
    public int ImageLength { get; }

    /// <summary>The image's layout (null when the bytes at <see cref="ImageOffset"/> are not one; then <see cref="ImageError"/> says why).</summary>
    public Km0Km4Image? Image { get; }

    /// <summary>Why the bytes at <see cref="ImageOffset"/> are not a km0_km4_image2.bin.</summary>
    public string? ImageError { get; }

    /// <summary>u32 byte sum of the whole file (what the 12-byte push preamble carries).</summary>
    public uint Checksum { get; }

    /// <summary>u32 byte sum of the image: what the OTA header's <c>Checksum</c> must be, and what a board computes.</summary>
    public uint ImageChecksum { get; }

    /// <summary>The image bytes (a slice of <see cref="Bytes"/>).</summary>
    public ReadOnlySpan<byte> ImageBytes => Bytes.AsSpan(ImageOffset, ImageLength);

    /// <summary>The 8 bytes a board holds back and writes last: the bank signature (normally <c>81958711</c>).</summary>
    public ReadOnlySpan<byte> Signature => ImageBytes[..Math.Min(SubImageHeader.SignatureLength, ImageLength)];

    /// <inheritdoc />
    public SketchDescriptor? Sketch => Image?.Sketch;

    /// <summary>Why the sketch descriptor could not be read, when it is damaged.</summary>
    public string? SketchError => Image?.SketchError;

    /// <inheritdoc />
    public string KindDescription => Describe(Kind);

    /// <summary>A short description for messages.</summary>
    public static string Describe(AmebaDImageKind kind) => kind == AmebaDImageKind.OtaAll
        ? "AmebaD OTA_All.bin (OTA header + km0_km4_image2.bin)"
        : "AmebaD km0_km4_image2.bin (KM0 + KM4 image 2, the Arduino build output)";

    /// <summary>
    /// The file as a board takes it over the air: this file when it is an <c>OTA_All.bin</c>, else the image wrapped in
    /// the header Realtek's ImageTool writes (<see cref="OtaAllHeader.For"/>), byte for byte.
    /// </summary>
    public AmebaDImageFile ToOtaAll()
    {
        if (Kind == AmebaDImageKind.OtaAll) return this;
        var bytes = new byte[OtaAllHeader.Size + Bytes.Length];
        OtaAllHeader.For(Bytes).Write(bytes);
        Bytes.CopyTo(bytes, OtaAllHeader.Size);
        return Parse(bytes);
    }

    /// <summary>True when <paramref name="file"/> starts like one of AmebaD's files (the parser may still find it damaged).</summary>
    public static bool LooksLikeAmebaD(ReadOnlySpan<byte> file)
    {
        if (SubImageHeader.StartsSigned(file)) return true;
        if (file.Length < OtaAllHeader.Size) return false;
        var header = OtaAllHeader.Read(file);
        return header.IdStartsWithOta || (header.Offset < file.Length && SubImageHeader.StartsSigned(file[(int)header.Offset..]));
    }

    /// <summary>Loads and parses a file; refusals name it.</summary>
    public static AmebaDImageFile Load(string path)
    {
        var bytes = InputFile.ReadAll(path, "an image file", MaxFileLength, message => new ImageFormatException(message),
            length => length > MaxFileLength ? $"'{path}' is {length} bytes, larger than an AmebaD flash (2 MiB): not an image" : null);
        try
        {
            return Parse(bytes);
        }
        catch (ImageFormatException e)
        {
            throw new ImageFormatException($"'{path}': {e.Message}");
        }
    }

    /// <summary>Parses a file held in memory.</summary>
    public static AmebaDImageFile Parse(byte[] bytes)
    {
        if (bytes.Length == 0) throw new ImageFormatException("the file is empty");
        if (SubImageHeader.StartsSigned(bytes))
            return new AmebaDImageFile(bytes, AmebaDImageKind.Km0Km4Image2, null, 0, bytes.Length, Km0Km4Image.Parse(bytes), null);
        if (bytes.Length < OtaAllHeader.Size)
            throw new ImageFormatException($"not an AmebaD image: {bytes.Length} bytes, shorter than an OTA_All.bin header ({OtaAllHeader.Size}) and without the signature 81958711");
        var header = OtaAllHeader.Read(bytes);
        if (!LooksLikeAmebaD(bytes))
            throw new ImageFormatException(
                $"not an AmebaD image: neither the signature 81958711 nor an OTA_All.bin header (its id is '{header.IdText}', not 'OTA…')");
        int offset = (int)Math.Min(header.Offset, (uint)bytes.Length);
        int length = (int)Math.Min(header.ImgLen, (uint)(bytes.Length - offset));
        Km0Km4Image? image = null;
        string? error = null;
        try
        {
            image = Km0Km4Image.Parse(bytes.AsSpan(offset, length));
        }
        catch (ImageFormatException e)
        {
            error = $"the image at offset {header.Offset}: {e.Message}";
        }
        return new AmebaDImageFile(bytes, AmebaDImageKind.OtaAll, header, offset, length, image, error);
    }
}
