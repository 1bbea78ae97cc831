using System.Security.Cryptography;
using AmebaOta.Cli.Commands;
using AmebaOta.Cli.Output;
using AmebaOta.Families.Ameba1.Images;
using AmebaOta.Families.Ameba1.Push;
using AmebaOta.Images;

namespace AmebaOta.Cli.Dashboard;

/// <summary>An image dropped on the page, parsed and checked; kept by its SHA-256 until runs name it.</summary>
/// <param name="FileName">The name the browser gave.</param>
/// <param name="Image">The file as dropped (what the page describes).</param>
/// <param name="Sent">The image as <c>upload</c> sends it (<see cref="OtaImageAsSent"/>: a "new" signature cleared): what runs send and record.</param>
/// <param name="Sha256">The dropped file's SHA-256: the page's name for it.</param>
/// <param name="Json">What the page shows.</param>
public sealed record ShelvedImage(string FileName, ImageFile Image, ImageFile Sent, string Sha256, ImageJson Json)
{
    public bool Refused => Json.Refusal is not null;
}

/// <summary>
/// The images dropped on the page: each parsed and checked exactly as <c>upload</c> checks a file (the same refusal and
/// warning sentences), and described with <c>image info</c>'s lines. A file that is not an image is turned down with the
/// sentence the CLI prints and nothing is kept. Only the last <see cref="Capacity"/> images are kept.
/// </summary>
public sealed class ImageShelf
{
    /// <summary>The largest body taken (twice the largest flash), as <c>serve</c>'s control endpoint.</summary>
    public const int MaxImageBytes = Serve.ControlEndpoint.MaxImageBytes;
    public const int Capacity = 16;

    private readonly Lock _lock = new();
    private readonly List<ShelvedImage> _images = [];

    /// <summary>Parses and checks an image; throws <see cref="DashboardError"/> (422) with the CLI's sentence when it is not one.</summary>
    public ShelvedImage Add(string fileName, byte[] bytes)
    {
        fileName = CleanName(fileName);
        ImageFile image;
        try
        {
            image = ImageFile.Parse(bytes);
        }
        catch (ImageFormatException e)
        {
            throw new DashboardError(422, e.Message);   // the very sentence `upload` and `image info` print for this file
        }
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string? refusal = null;
        List<string> warnings;
        var sent = image;
        try
        {
            warnings = UploadCommand.Preflight(fileName, ref sent, force: false);
        }
        catch (CliError e)
        {
            refusal = e.Message;
            warnings = [.. OtaPreflight.Check(image).Warnings];
        }
        var json = new ImageJson(sha, fileName, bytes.Length, sha, $"0x{image.Checksum:x8}", image.Body.Sketch?.Version,
            [.. ImageInfoText.Lines(fileName, image)], refusal, warnings);
        var shelved = new ShelvedImage(fileName, image, sent, sha, json);
        lock (_lock)
        {
            _images.RemoveAll(i => i.Sha256 == sha);
            _images.Add(shelved);
            if (_images.Count > Capacity) _images.RemoveAt(0);
        }
        return shelved;
    }

    public ShelvedImage? Find(string sha256)
    {
        lock (_lock) return _images.LastOrDefault(i => string.Equals(i.Sha256, sha256, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A file name as given by the browser, without any directory, printable, at most 100 characters.</summary>
    public static string CleanName(string? name)
    {
        string clean = Path.GetFileName((name ?? "").Replace('\\', '/'));
        clean = new string([.. clean.Where(c => !char.IsControl(c))]).Trim();
        if (clean.Length == 0) clean = "image.bin";
        return clean.Length <= 100 ? clean : clean[..100];
    }
}
