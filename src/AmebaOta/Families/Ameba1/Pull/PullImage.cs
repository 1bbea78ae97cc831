using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Images;
using AmebaOta.Protocol.Serving;

namespace AmebaOta.Families.Ameba1.Pull;

/// <summary>
/// One image as the pull protocols serve it, computed once and never changed (a new image is a new snapshot):
/// the raw <c>ota.bin</c> for CloudOTA, its byte-sum as decimal text for <c>check.txt</c>, and the image with the
/// byte-sum appended as a little-endian u32 for the two SDK clients (the Arduino <c>ota.bin</c> carries no trailer).
/// </summary>
public sealed class PullImage : IServedImage
{
    private PullImage(ImageFile file, string? name, DateTimeOffset loadedAt, IReadOnlyList<string> warnings)
    {
        File = file;
        Name = name;
        LoadedAt = loadedAt;
        Warnings = warnings;
        Checksum = file.Checksum;
        CheckText = Encoding.ASCII.GetBytes(Checksum.ToString(CultureInfo.InvariantCulture));
        var withTrailer = new byte[file.Length + TrailerSize];
        file.Bytes.CopyTo(withTrailer, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(withTrailer.AsSpan(file.Length), Checksum);
        WithTrailer = withTrailer;
    }

    /// <summary>Bytes of the checksum trailer the SDK clients expect after the image.</summary>
    public const int TrailerSize = 4;

    /// <summary>The parsed image.</summary>
    public ImageFile File { get; }

    /// <summary>Where it came from (a file name), for logs; null when built in memory.</summary>
    public string? Name { get; }

    /// <summary>When this snapshot was taken.</summary>
    public DateTimeOffset LoadedAt { get; }

    /// <summary>What the preflight checks warned about (the image is served anyway).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The u32 wrapping byte-sum of the image.</summary>
    public uint Checksum { get; }

    /// <summary>File length in bytes.</summary>
    public long Length => File.Length;

    /// <summary><c>v2.bin (262144 bytes, checksum 33408944, version 2)</c>.</summary>
    public string Description => PullImageSource.Describe(this);

    /// <summary>The image as CloudOTA's <c>/ota.bin</c> serves it: the file itself.</summary>
    public ReadOnlyMemory<byte> Image => File.Bytes;

    /// <summary><c>check.txt</c>: the byte-sum in decimal, no newline (CloudOTA reads it with <c>String.toInt()</c>).</summary>
    public ReadOnlyMemory<byte> CheckText { get; }

    /// <summary>The image followed by its byte-sum as u32 LE: what <c>http_update_ota</c> and <c>update_ota_local</c> download.</summary>
    public ReadOnlyMemory<byte> WithTrailer { get; }

    /// <summary>
    /// Makes a snapshot of <paramref name="file"/> as <c>upload</c> sends it (<see cref="OtaImageAsSent"/>: the same checks,
    /// a "new" signature cleared): throws <see cref="ImageFormatException"/> with the refusals and <paramref name="overrideHint"/>
    /// (how the caller's user goes past them) unless <paramref name="force"/>.
    /// </summary>
    public static PullImage From(ImageFile file, string? name = null, bool force = false, string overrideHint = "--force serves it anyway")
    {
        // A "new" signature never goes to a board: served cleared, the board signs the image itself after verifying.
        var asSent = OtaImageAsSent.Prepare(file);
        var preflight = asSent.Check;
        file = asSent.Image;
        if (preflight.Refused && !force)
            throw new ImageFormatException($"{name ?? "the image"} is refused: {string.Join("; ", preflight.Refusals)} ({overrideHint})");
        var warnings = preflight.Warnings.Concat(asSent.Notes).Concat(preflight.Refused ? preflight.Refusals.Select(r => "served despite: " + r) : []).ToList();
        if (file.Length + TrailerSize <= 512)
            warnings.Add($"{file.Length} bytes is so small that a whole sdk-http response fits in http_update_ota's first 512-byte read, " +
                "where it takes the trailer from the wrong offset and fails with \"The checksume is wrong!\" (real images are far larger)");
        return new PullImage(file, name, DateTimeOffset.UtcNow, warnings);
    }

    /// <summary>Loads <paramref name="path"/> whole and makes a snapshot of it (see <see cref="From"/>).</summary>
    public static PullImage Load(string path, bool force = false, string overrideHint = "--force serves it anyway") =>
        From(ImageFile.Load(path), Path.GetFileName(path), force, overrideHint);
}
