using System.Security.Cryptography;
using AmebaOta.Cli.Commands;
using AmebaOta.Cli.Output;
using AmebaOta.Families;
using AmebaOta.Fleet;
using AmebaOta.Images;
using AmebaOta.Protocol.OtaUi.Server;

namespace AmebaOta.Cli.Dashboard;

/// <summary>An image dropped on the page, parsed and checked; kept by its SHA-256 until runs name it.</summary>
/// <param name="FileName">The name the browser gave.</param>
/// <param name="Push">The file as dropped and as <c>upload</c> sends it (its family's <see cref="PushSender.Prepare"/>: an Ameba1
/// "new" signature cleared, an AmebaD km0_km4_image2.bin wrapped): runs send and record what it sends. Null for an image of a
/// family that takes no push (AmebaPro2): then <see cref="OtaUi"/> is what the boards download.</param>
/// <param name="Sha256">The dropped file's SHA-256: the page's name for it.</param>
/// <param name="Json">What the page shows.</param>
public sealed record ShelvedImage(string FileName, PushImage? Push, string Sha256, ImageJson Json)
{
    /// <summary>The image as OTA UI boards download it (an AmebaPro2 <c>ota.bin</c>), or null for a pushed image.</summary>
    public OtaUiImage? OtaUi { get; init; }

    public bool Refused => Json.Refusal is not null;

    /// <summary>The file as dropped (what the page describes).</summary>
    public IFirmwareImage Image => Push?.File ?? OtaUi!.Image;

    /// <summary>What runs send (or serve) and record.</summary>
    public IFirmwareImage Sent => Push?.Sent ?? OtaUi!.Image;

    /// <summary>The family of the image and of every board it may go to.</summary>
    public BoardFamily Family => Image.Family;

    /// <summary>What a run hands its sender: pushed, or served to OTA UI boards.</summary>
    public FleetImages Fleet => Push is { } push ? FleetImages.Of(push) : FleetImages.Served([OtaUi!]);
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
        PushImage push;
        try
        {
            var image = BoardFamilies.ParseImage(bytes);
            if (image.Family.Push is null && image.Family.UpdatesByOtaUi) return Keep(OtaUiShelved(fileName, bytes, image));
            push = UploadCommand.Sender(fileName, image).Prepare(image);
        }
        catch (ImageFormatException e)
        {
            throw new DashboardError(422, $"'{fileName}': {e.Message}");   // the sentence `upload` and `image info` print for this file
        }
        catch (CliError e)
        {
            throw new DashboardError(422, e.Message);   // a family that takes no push
        }
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        string? refusal = null;
        List<string> warnings;
        try
        {
            warnings = UploadCommand.Preflight(fileName, push, force: false);
        }
        catch (CliError e)
        {
            refusal = PageText(e.Message);
            warnings = [.. push.Warnings];
        }
        var json = new ImageJson(sha, fileName, bytes.Length, sha, $"0x{push.File.Checksum:x8}", push.File.Sketch?.Version,
            [.. ImageInfoText.Lines(fileName, push.File)], refusal, warnings) { Family = push.Family.Id };
        return Keep(new ShelvedImage(fileName, push, sha, json) { OtaUi = PulledToo(push, fileName) });
    }

    /// <summary>
    /// An image its boards download by the OTA UI method: checked as <c>upload</c> checks one (what its family refuses
    /// whatever the board runs); the check against what each board runs is made when a run starts.
    /// </summary>
    private static ShelvedImage OtaUiShelved(string fileName, byte[] bytes, IFirmwareImage image)
    {
        var served = OtaUiImage.From(bytes, fileName);
        var check = image.Family.CheckOtaUi(image, null);
        string? refusal = check.Refused ? $"refusing to serve {fileName}: {string.Join("; ", check.Refusals)}{Runs.RunManager.ForceHint}" : null;
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var json = new ImageJson(sha, fileName, bytes.Length, sha, $"0x{image.Checksum:x8}", image.Sketch?.Version,
            [.. ImageInfoText.Lines(fileName, image)], refusal, [.. served.Warnings, .. check.Warnings]) { Family = image.Family.Id, OtaUi = true };
        return new ShelvedImage(fileName, null, sha, json) { OtaUi = served };
    }

    /// <summary>The CLI's sentence with the page's control in place of <c>--force</c>.</summary>
    public static string PageText(string message) => message
        .Replace(" (--force sends it anyway)", Runs.RunManager.ForceHint, StringComparison.Ordinal)
        .Replace(" (--force serves it anyway)", Runs.RunManager.ForceHint, StringComparison.Ordinal)
        .Replace(" (--force triggers it anyway)", Runs.RunManager.ForceHint, StringComparison.Ordinal);

    /// <summary>
    /// A pushed image whose family's boards can also pull it by OTA UI (AmebaD: <c>OTA_Http</c> downloads the
    /// <c>OTA_All.bin</c> the push sends): what those boards download, for a run to boards that beat to the dashboard.
    /// </summary>
    private static OtaUiImage? PulledToo(PushImage push, string fileName)
    {
        if (!push.Family.UpdatesByOtaUi) return null;
        try { return OtaUiImage.From([.. push.Sent.Bytes], fileName, force: true); }
        catch (ImageFormatException) { return null; }
    }

    private ShelvedImage Keep(ShelvedImage shelved)
    {
        string sha = shelved.Sha256;
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
