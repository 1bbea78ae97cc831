using AmebaOta.Families;
using AmebaOta.Protocol.OtaUi.Server;

namespace AmebaOta.Fleet;

/// <summary>
/// The images of a fleet run, at most one per family: each board is sent the image of its own family, never another's.
/// A board whose family is unknown (given by address, never seen by mDNS) takes the run's only image. An image reaches
/// its boards pushed (<see cref="All"/>, by the family's <see cref="PushSender"/>) or served to them when they are
/// triggered (<see cref="OtaUi"/>, the OTA UI method): a run does one or the other.
/// </summary>
public sealed class FleetImages
{
    private readonly List<PushImage> _images;
    private readonly List<OtaUiImage> _otaUi;

    /// <exception cref="ArgumentException">No image, or two of one family.</exception>
    public FleetImages(IEnumerable<PushImage> images) : this(images, []) { }

    /// <exception cref="ArgumentException">No image, two of one family, or images of both kinds.</exception>
    private FleetImages(IEnumerable<PushImage> images, IEnumerable<OtaUiImage> otaUi)
    {
        _images = [.. images];
        _otaUi = [.. otaUi];
        if (_images.Count == 0 && _otaUi.Count == 0) throw new ArgumentException("a fleet run needs an image", nameof(images));
        if (_images.Count > 0 && _otaUi.Count > 0) throw new ArgumentException("a run pushes its images or serves them by OTA UI, not both", nameof(otaUi));
        if (_images.Select(i => i.Family).Concat(_otaUi.Select(i => i.Family)).GroupBy(f => f).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ArgumentException($"two {twice.Key.DisplayName} images: a run sends one image per family", nameof(images));
    }

    /// <summary>A run with one image.</summary>
    public static FleetImages Of(PushImage image) => new([image]);

    /// <summary>A run that serves its images to boards it triggers (the OTA UI method), at most one per family.</summary>
    public static FleetImages Served(IEnumerable<OtaUiImage> images) => new([], images);

    /// <summary>The images served by OTA UI (empty in a push run).</summary>
    public IReadOnlyList<OtaUiImage> OtaUi => _otaUi;

    /// <summary>True when the run serves its images by OTA UI instead of pushing them.</summary>
    public bool ByOtaUi => _otaUi.Count > 0;

    /// <summary>The served image for a board of <paramref name="family"/> (null: unknown family, which takes the only image), or null.</summary>
    public OtaUiImage? OtaUiFor(BoardFamily? family) =>
        family is null ? (_otaUi.Count == 1 ? _otaUi[0] : null) : _otaUi.FirstOrDefault(i => i.Family == family);

    /// <summary>Every image, in the order given.</summary>
    public IReadOnlyList<PushImage> All => _images;

    /// <summary>The families that have an image.</summary>
    public IEnumerable<BoardFamily> Families => _images.Select(i => i.Family).Concat(_otaUi.Select(i => i.Family));

    /// <summary>The image for a board of <paramref name="family"/> (null: unknown family, which takes the only image), or null when the run has none for it.</summary>
    public PushImage? For(BoardFamily? family) =>
        family is null ? (_images.Count == 1 ? _images[0] : null) : _images.FirstOrDefault(i => i.Family == family);

    /// <summary>
    /// Why <paramref name="target"/> is not sent anything, one sentence (null: it is sent <see cref="For"/> its family):
    /// its family has no image in this run (a board is never sent another family's image), it takes no push, or its
    /// family is unknown and the run has several images.
    /// </summary>
    public string? Refusal(FleetTarget target)
    {
        if (ByOtaUi)
        {
            if (OtaUiFor(target.Family) is not null) return null;
            return target.Family is { } f
                ? $"{target.Name} is a {f.Id} board and this run serves no {f.Id} image ({string.Join(", ", _otaUi.Select(i => i.Family.Id))}): not triggered"
                : $"{target.Name}: its family is unknown and this run serves {_otaUi.Count} images: not triggered";
        }
        if (For(target.Family) is not null) return null;
        if (target.Family is not { } family)
            return $"{target.Name}: its family is unknown (given by address and never seen by mDNS) and this run has {_images.Count} images " +
                   $"({string.Join(", ", Families.Select(f => f.Id))}): give --family; not sent anything";
        string article = "AEIOUaeiou".Contains(family.DisplayName[0]) ? "an" : "a";
        return family.Push is null
            ? $"{target.Name} is {article} {family.DisplayName} board, which takes no image pushed over TCP; not sent anything"
            : $"{target.Name} is {article} {family.DisplayName} board and no {family.Id} image was given " +
              $"(this run has {string.Join(", ", Families.Select(f => f.Id))}); a board is never sent another family's image: not sent anything";
    }

    /// <summary>The largest image, for budgets that must cover every board.</summary>
    public PushImage Largest => _images.MaxBy(i => i.Length)!;
}
