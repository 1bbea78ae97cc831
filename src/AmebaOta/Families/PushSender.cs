using System.Net;
using AmebaOta.Flash;
using AmebaOta.Protocol;

namespace AmebaOta.Families;

/// <summary>
/// How the host pushes an image to one family's boards: the board listens, the host connects and sends the 12-byte header
/// and the file over the shared <see cref="OtaUploader"/> (acknowledged-byte accounting, reset on any failure, SO_LINGER 0
/// armed before connecting). What differs between families is here: which port the stock sketch listens on, which files
/// it takes and what the host checks first, how long the board erases before it reads, what it does after the last byte,
/// and the words that tell people what happened. Commands ask a family for its sender (<see cref="BoardFamily.Push"/>)
/// and never branch on the family themselves.
/// </summary>
public abstract class PushSender
{
    /// <summary>The family whose boards this sender updates.</summary>
    public abstract BoardFamily Family { get; }

    /// <summary>The port the stock example sketch listens on.</summary>
    public abstract int DefaultPort { get; }

    /// <summary>
    /// True when the board listens on the port its mDNS advertisement gives (Ameba1). False when the stock sketch advertises
    /// one port and listens on <see cref="DefaultPort"/> whatever it advertises (AmebaD: 5000 advertised, 8082 listened on).
    /// </summary>
    public virtual bool ListensOnAdvertisedPort => true;

    /// <summary>The port to send to for a board that advertises <paramref name="advertised"/>.</summary>
    public int PortFor(int advertised) => ListensOnAdvertisedPort ? advertised : DefaultPort;

    /// <summary>One sentence when the port used is not the one advertised (null: it is).</summary>
    public virtual string? PortNote(int advertised) => null;

    /// <summary>
    /// What goes to a board for <paramref name="file"/> (one of this family's image files, parsed): the bytes to send, and
    /// what the host's checks say before anything is sent (refusals: a stock board would choke on it; warnings; notes on
    /// what was changed on the way). Throws <see cref="Images.ImageFormatException"/> for a file this family cannot push.
    /// </summary>
    public abstract PushImage Prepare(IFirmwareImage file);

    /// <summary>The flash timing of the family's boards, typical and worst case (datasheets).</summary>
    public abstract FlashTiming TypicalFlash { get; }

    /// <inheritdoc cref="TypicalFlash"/>
    public abstract FlashTiming SlowFlash { get; }

    /// <summary>The bytes the board erases before it reads the image (it reads nothing meanwhile).</summary>
    public abstract long ErasedLength(PushImage image);

    /// <summary>What the board's update of <paramref name="image"/> costs with flash of <paramref name="timing"/>: erase, program, verify.</summary>
    public virtual OtaTimeEstimate Estimate(PushImage image, FlashTiming timing) => new(ErasedLength(image), timing);

    /// <summary>What the board's update of <paramref name="image"/> costs on typical flash.</summary>
    public OtaTimeEstimate Typical(PushImage image) => Estimate(image, TypicalFlash);

    /// <summary>What it costs on the slowest flash the datasheets allow: what a host must be ready to wait.</summary>
    public OtaTimeEstimate Slow(PushImage image) => Estimate(image, SlowFlash);

    /// <summary>The longest the host waits with nothing acknowledged: the slow erase plus a margin (at least 30 s).</summary>
    public TimeSpan DefaultStall(PushImage image) => OtaUploadBudget.DefaultStall(Slow(image));

    /// <summary>How long <c>--wait-reboot</c> waits after the last byte by default: the slow update, the board's close and its reboot.</summary>
    public virtual TimeSpan DefaultRebootWait(PushImage image) => OtaUploadBudget.DefaultRebootWait(Slow(image)) + (CloseWait(image) ?? TimeSpan.Zero);

    /// <summary>One sentence when <paramref name="stall"/> may be too short for <paramref name="image"/>, or null.</summary>
    public string? ShortStallWarning(TimeSpan stall, PushImage image) =>
        OtaUploadBudget.ShortStallWarning(stall, Typical(image), Slow(image), WhenCut);

    /// <summary>"board erasing ~120 sectors, about 5.4 s (up to 48 s on slow flash)".</summary>
    public string Erasing(PushImage image)
    {
        var typical = Typical(image);
        var slow = Slow(image);
        return $"board erasing ~{typical.Sectors} sector{(typical.Sectors == 1 ? "" : "s")}, about {OtaUploadBudget.Seconds(typical.Erase)} " +
               $"(up to {OtaUploadBudget.Seconds(slow.Erase)} on slow flash)";
    }

    /// <summary>Image bytes the board acknowledges while it erases (its TCP receive window): beyond them, its erase is over.</summary>
    protected virtual long ErasingWindow => 8 * 1024;

    /// <summary>How long after the last byte to wait for the board to close its end (null: the board's close is not waited for).</summary>
    protected virtual TimeSpan? CloseWait(PushImage image) => null;

    /// <summary>What the board prints and does after the host reset the connection mid-transfer (wire bytes acknowledged given).</summary>
    protected abstract string AfterReset(long ackedWireBytes);

    /// <summary>What the board does when the host gives up waiting, in a few words ("the board prints \"Download fail\"").</summary>
    protected abstract string WhenCut { get; }

    /// <summary><paramref name="options"/> with this family's knobs filled in for <paramref name="image"/> (a stall timeout given is kept).</summary>
    public OtaUploadOptions Configure(OtaUploadOptions options, PushImage image) => options with
    {
        StallTimeout = options.StallTimeout ?? DefaultStall(image),
        ErasingWindow = ErasingWindow,
        AwaitBoardClose = CloseWait(image),
        AfterReset = AfterReset,
    };

    /// <summary>Sends <paramref name="image"/> to the board at <paramref name="board"/> with the shared <see cref="OtaUploader"/>.</summary>
    public Task<OtaUploadResult> SendAsync(IPEndPoint board, PushImage image, OtaUploadOptions? options = null,
        IProgress<OtaUploadProgress>? progress = null, CancellationToken cancellationToken = default) =>
        OtaUploader.UploadAsync(board, image.Bytes, Configure(options ?? new OtaUploadOptions(), image), progress, cancellationToken);

    /// <summary>Why nothing listens on the board's port, for a refused connection: what the stock sketch does ("": nothing to add).</summary>
    public abstract string NotListening { get; }

    /// <summary>A failed upload's message, with what the family's board does that explains it (a refused connection's likely cause).</summary>
    public string Explain(OtaUploadException e) =>
        e.Failure == OtaUploadFailure.ConnectionRefused && NotListening.Length > 0 ? $"{e.Message}; {NotListening}" : e.Message;

    /// <summary>What the board does now that it has every byte, and what the wire said about it, for people.</summary>
    public abstract string AfterUpload(OtaUploadResult result);

    /// <summary>What the board's past uploads (the history, oldest first) say the user should know before this one (null: nothing).</summary>
    public virtual string? BeforeUpdate(string board, IReadOnlyList<Fleet.History.UploadRecord> history) => null;

    /// <summary>What the user should know after a successful update (<paramref name="history"/> includes it; null: nothing).</summary>
    public virtual string? AfterUpdate(string board, IReadOnlyList<Fleet.History.UploadRecord> history) => null;

    /// <summary>What the wire said after the last byte, printed before the wait for the reboot (null: nothing to say).</summary>
    public virtual string? WhileWaiting(OtaUploadResult result) => null;

    /// <summary>What a reboot seen after the upload proves, and what it does not, for people.</summary>
    public abstract string RebootMeaning { get; }

    /// <summary>The likely cause when the board took every byte but did not come back, for people.</summary>
    public abstract string NotBack(OtaUploadResult? result);

    /// <inheritdoc />
    public override string ToString() => $"{Family.Id} push";
}
