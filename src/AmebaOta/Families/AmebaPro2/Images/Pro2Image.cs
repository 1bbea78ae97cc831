using System.Buffers.Binary;
using AmebaOta.Images;

namespace AmebaOta.Families.AmebaPro2.Images;

/// <summary>
/// An AmebaPro2 application image (docs/reference section 11.3): <c>ota.bin</c> (= <c>firmware.bin</c> + the byte-sum of
/// <c>firmware.bin</c> as u32 LE) or <c>firmware.bin</c> itself, parsed. A file whose last 4 bytes are the byte-sum of the
/// rest is an <c>ota.bin</c>; a multiple of 4 KiB without that is a <c>firmware.bin</c>; anything else is an
/// <c>ota.bin</c> whose trailer is wrong (<see cref="TrailerValid"/>). Parsing never throws anything but
/// <see cref="ImageFormatException"/>.
/// </summary>
public sealed class Pro2Image : IFirmwareImage
{
    /// <summary>Bytes of the checksum trailer.</summary>
    public const int TrailerSize = 4;
    /// <summary>The board's download and flash block (<c>NOR_BLOCK_SIZE</c>).</summary>
    public const int BlockSize = 4096;
    /// <summary>Where a test image's sketch descriptor sits: 16 bytes into the image header, where real firmware has header fields.</summary>
    public const int SketchBodyOffset = Pro2Manifest.ImageHeaderOffset;
    /// <summary>Largest file accepted: the chip (16 MiB).</summary>
    public const int MaxFileLength = AmebaOta.Flash.NorFlash.SixteenMiB;

    private Pro2Image(byte[] bytes, Pro2ImageKind kind, Pro2Manifest manifest)
    {
        Bytes = bytes;
        Kind = kind;
        Manifest = manifest;
        Checksum = AmebaOta.Images.Checksum.ByteSum(bytes);
        FirmwareChecksum = AmebaOta.Images.Checksum.ByteSum(Firmware);
        if (Firmware.Length > SketchBodyOffset)
        {
            Sketch = SketchDescriptor.TryRead(Firmware[SketchBodyOffset..], out string? error);
            SketchError = error;
        }
    }

    /// <inheritdoc />
    public BoardFamily Family => BoardFamilies.AmebaPro2;
    /// <inheritdoc />
    public byte[] Bytes { get; }
    /// <inheritdoc />
    public int Length => Bytes.Length;
    /// <summary>u32 byte-sum of the whole file.</summary>
    public uint Checksum { get; }
    /// <summary>ota.bin or firmware.bin.</summary>
    public Pro2ImageKind Kind { get; }
    /// <summary>The manifest (label, VERSION, TIMST, …).</summary>
    public Pro2Manifest Manifest { get; }
    /// <summary>What the boot code compares.</summary>
    public Pro2BuildStamp Stamp => Manifest.Stamp;
    /// <inheritdoc />
    public SketchDescriptor? Sketch { get; }
    /// <summary>Why a descriptor that is there could not be read (null: none, or read).</summary>
    public string? SketchError { get; }

    /// <summary>The firmware without the trailer: what the board writes into a slot.</summary>
    public ReadOnlySpan<byte> Firmware => Kind == Pro2ImageKind.OtaBin ? Bytes.AsSpan(0, Length - TrailerSize) : Bytes;

    /// <summary>The trailer's value (null for a firmware.bin).</summary>
    public uint? Trailer => Kind == Pro2ImageKind.OtaBin ? BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(Length - TrailerSize)) : null;

    /// <summary>Byte-sum of the firmware (what the trailer must be).</summary>
    public uint FirmwareChecksum { get; }

    /// <summary>True when the trailer is the byte-sum of the firmware (always false for a firmware.bin, which has none).</summary>
    public bool TrailerValid => Trailer == FirmwareChecksum;

    /// <summary>The 4 KiB blocks the board downloads this file in.</summary>
    public int Blocks => (Length + BlockSize - 1) / BlockSize;

    /// <summary>
    /// True when the last block holds 1 to 3 bytes: fewer than the checksum, which the SDK then reads from before its
    /// buffer and writes past it (a real board crashes).
    /// </summary>
    public bool LastBlockShorterThanTrailer => Length % BlockSize is > 0 and < TrailerSize;

    /// <summary>True when the board's size check passes for a slot of <paramref name="slotLength"/> bytes (it counts whole blocks).</summary>
    public bool FitsSlot(uint slotLength) => (long)Blocks * BlockSize <= slotLength;

    /// <inheritdoc />
    public string KindDescription => Kind == Pro2ImageKind.OtaBin
        ? "AmebaPro2 ota.bin (firmware.bin + byte-sum trailer)"
        : "AmebaPro2 firmware.bin (no checksum trailer: boards download ota.bin)";

    /// <summary>True when the file starts with the AmebaPro2 label.</summary>
    public static bool Recognises(ReadOnlySpan<byte> file) => Pro2Manifest.HasLabel(file);

    /// <summary>Parses an image held in memory.</summary>
    public static Pro2Image Parse(byte[] bytes)
    {
        if (bytes.Length > MaxFileLength)
            throw new ImageFormatException($"the file is {bytes.Length} bytes; an AmebaPro2 image is at most {MaxFileLength} (the whole chip)");
        var manifest = Pro2Manifest.Read(bytes);
        bool trailerMatches = bytes.Length > TrailerSize
            && AmebaOta.Images.Checksum.ByteSum(bytes.AsSpan(0, bytes.Length - TrailerSize)) == BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - TrailerSize));
        var kind = trailerMatches || bytes.Length % BlockSize != 0 ? Pro2ImageKind.OtaBin : Pro2ImageKind.FirmwareBin;
        return new Pro2Image(bytes, kind, manifest);
    }

    /// <summary>Loads and parses a file (size-checked before it is read).</summary>
    public static Pro2Image Load(string path) =>
        Parse(InputFile.ReadAll(path, "an AmebaPro2 image", MaxFileLength, message => new ImageFormatException(message)));
}
