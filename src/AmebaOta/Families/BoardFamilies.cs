using AmebaOta.Families.Ameba1;
using AmebaOta.Families.AmebaD;
using AmebaOta.Families.AmebaPro2;

namespace AmebaOta.Families;

/// <summary>The families this version knows, and how a family is found from an id, a TXT record, a board model or a file.</summary>
public static class BoardFamilies
{
    /// <summary>The family a board, an image or a record is when nothing says otherwise (records made before families existed): <c>ameba1</c>.</summary>
    public const string DefaultId = Ameba1Family.FamilyId;

    /// <summary>Ameba1: RTL8195A, RTL8710.</summary>
    public static Ameba1Family Ameba1 { get; } = new();

    /// <summary>AmebaD: RTL8721D (BW16, AMB21–AMB26).</summary>
    public static AmebaDFamily AmebaD { get; } = new();

    /// <summary>AmebaPro2: RTL8735B (AMB82-mini).</summary>
    public static AmebaPro2Family AmebaPro2 { get; } = new();

    /// <summary>Every family, Ameba1 first.</summary>
    public static IReadOnlyList<BoardFamily> All { get; } = [Ameba1, AmebaD, AmebaPro2];

    /// <summary>The ids, for help texts: <c>ameba1|amebad|…</c>.</summary>
    public static string Ids => string.Join('|', All.Select(f => f.Id));

    /// <summary>The family called <paramref name="id"/> (case-insensitive), or null.</summary>
    public static BoardFamily? Find(string id) =>
        All.FirstOrDefault(f => string.Equals(f.Id, id.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The family whose boards advertise TXT <c>board=<paramref name="board"/></c>, or null (none, or unknown).</summary>
    public static BoardFamily? ForMdnsBoard(string? board) => board is null ? null :
        All.FirstOrDefault(f => f.MdnsBoardIds.Contains(board, StringComparer.OrdinalIgnoreCase));

    /// <summary>The family of a board model.</summary>
    public static BoardFamily Of(BoardKind board) => All.First(f => f.Boards.Contains(board));

    /// <summary>
    /// The family whose format <paramref name="file"/> is in. Ameba1 is the historical default: a file no other family
    /// recognises is read as Ameba1, whose parser then says what is wrong with it.
    /// </summary>
    public static BoardFamily Identify(ReadOnlySpan<byte> file)
    {
        foreach (var family in All)
            if (family != Ameba1 && family.Recognises(file)) return family;
        return Ameba1;
    }

    /// <summary>The family whose board a whole-chip dump comes from, or null when no family recognises it (a blank chip).</summary>
    public static BoardFamily? IdentifyFlash(ReadOnlySpan<byte> chip)
    {
        foreach (var family in All)
            if (family.RecognisesFlash(chip)) return family;
        return null;
    }

    /// <summary>Parses <paramref name="bytes"/> with the parser of the family that <see cref="Identify"/> finds.</summary>
    public static IFirmwareImage ParseImage(byte[] bytes) => Identify(bytes).ParseImage(bytes);

    /// <summary>
    /// Reads and parses the image file at <paramref name="path"/>, of whichever family its contents say. A missing file is a
    /// <see cref="FileNotFoundException"/>; anything else wrong with it an <see cref="Images.ImageFormatException"/> naming the file.
    /// </summary>
    public static IFirmwareImage LoadImage(string path)
    {
        long max = All.Max(f => f.ChipSizes.Max());
        var bytes = InputFile.ReadAll(path, "an image file", max, message => new Images.ImageFormatException(message),
            length => length > max ? $"'{path}' is {length} bytes, larger than any Ameba flash ({max / (1024 * 1024)} MiB): not an image" : null);
        try
        {
            return ParseImage(bytes);
        }
        catch (Images.ImageFormatException e)
        {
            throw new Images.ImageFormatException($"'{path}': {e.Message}");
        }
    }
}
