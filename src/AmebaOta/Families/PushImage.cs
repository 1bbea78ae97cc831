namespace AmebaOta.Families;

/// <summary>
/// A file as it goes to a board by push: the family's sender, the file as given, what is sent (the bytes after the 12-byte
/// header, whose checksum and length the header carries), and what the family's checks said before anything was sent.
/// </summary>
/// <param name="Sender">The family's sender.</param>
/// <param name="File">The file as given.</param>
/// <param name="Sent">What goes on the wire (the file itself, or the file changed on the way: <paramref name="Notes"/> say how).</param>
/// <param name="Refusals">Why a stock board would choke on it or be harmed, one sentence each (empty: it may be sent).</param>
/// <param name="Warnings">Oddities worth a line.</param>
/// <param name="Notes">What was changed on the way, one sentence each.</param>
public sealed record PushImage(PushSender Sender, IFirmwareImage File, IFirmwareImage Sent, IReadOnlyList<string> Refusals,
    IReadOnlyList<string> Warnings, IReadOnlyList<string> Notes)
{
    /// <summary>The family of the image (and of every board it may go to).</summary>
    public BoardFamily Family => Sender.Family;

    /// <summary>The bytes sent after the 12-byte header.</summary>
    public byte[] Bytes => Sent.Bytes;

    /// <summary>Bytes sent after the header.</summary>
    public int Length => Sent.Length;

    /// <summary>The checksum the header carries: the byte sum of <see cref="Bytes"/>.</summary>
    public uint Checksum => Sent.Checksum;

    /// <summary>True when the checks refuse it.</summary>
    public bool Refused => Refusals.Count > 0;

    /// <summary>The image as it is, with its family's sender and no checks (for callers that prepared it already).</summary>
    /// <exception cref="InvalidOperationException">Its family takes no push.</exception>
    public static PushImage AsIs(IFirmwareImage image) =>
        new(image.Family.Push ?? throw new InvalidOperationException($"{image.Family.DisplayName} boards take no push"), image, image, [], [], []);
}
