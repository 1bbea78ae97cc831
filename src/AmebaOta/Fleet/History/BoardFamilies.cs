namespace AmebaOta.Fleet.History;

/// <summary>The names the database gives the board families (a <c>family</c> column per board, per upload and per job).</summary>
public static class BoardFamilies
{
    /// <summary>RTL8195A, RTL8710.</summary>
    public const string Ameba1 = "ameba1";

    /// <summary>What a board or update is when nothing says otherwise.</summary>
    public const string Default = Ameba1;
}
