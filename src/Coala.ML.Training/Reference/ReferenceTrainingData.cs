using Coala.ML.Features;
using Coala.ML.Training.Data;
using Coala.ML.Training.Reference;

namespace Coala.ML.Training;

/// <summary>
/// The reference's released pre-training set as the trainer needs it: the training file and its <c>_val</c>
/// companion (<see cref="ReferenceHdf5Set"/>), the scaler the patches were scaled with (<c>scaler_top_1000.pkl</c>,
/// exported into the model's graph) and the tag words (<c>json/id2token_top_1000.json</c>).
/// Without explicit paths the scaler and the vocabulary are looked for where a clone of xavierfav/coala keeps them,
/// relative to the data's folder (<c>hdf5_ds/</c> in the clone) and its parent.
/// </summary>
public sealed class ReferenceTrainingData : TrainingCorpus
{
    private ReferenceTrainingData(ReferenceHdf5Set train, ReferenceHdf5Set validation, MinMaxScaler scaler, string[] vocabulary) =>
        (Train, Validation, Scaler, Vocabulary) = (train, validation, scaler, vocabulary);

    internal ReferenceHdf5Set Train { get; }
    internal ReferenceHdf5Set Validation { get; }
    /// <inheritdoc />
    public override MinMaxScaler Scaler { get; }
    /// <inheritdoc />
    public override IReadOnlyList<string> Vocabulary { get; }
    /// <inheritdoc />
    public override FrontendSettings Frontend => ReferenceImporter.Frontend;
    internal override ITrainingSet TrainingSet => Train;
    internal override ITrainingSet ValidationSet => Validation;

    /// <summary>
    /// Opens the reference's training file (<c>hdf5_ds/spec_tags_top_1000</c> of a clone of xavierfav/coala) with its
    /// <c>_val</c> companion; the scaler and vocabulary are looked for beside it and one folder up unless given.
    /// </summary>
    /// <exception cref="CoalaException">a file missing or malformed, or a vocabulary that does not fit the labels.</exception>
    public static ReferenceTrainingData Open(string trainPath, string? scalerPath = null, string? vocabularyPath = null)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(trainPath))!;
        string parent = Path.GetDirectoryName(dir) ?? dir;
        scalerPath ??= Find("the scaler", "--scaler", Path.Combine(dir, ReferenceImporter.ScalerFile), Path.Combine(parent, ReferenceImporter.ScalerFile));
        vocabularyPath ??= Find("the vocabulary", "--vocabulary", Path.Combine(dir, ReferenceImporter.VocabularyFile),
            Path.Combine(parent, ReferenceImporter.VocabularyFile), Path.Combine(dir, Path.GetFileName(ReferenceImporter.VocabularyFile)));
        var scaler = SklearnScalerFile.Read(scalerPath);
        if (scaler.Bands != ReferenceHdf5Set.Side)
            throw new CoalaException($"the scaler has {scaler.Bands} features, the patches {ReferenceHdf5Set.Side} mel bands", scalerPath);
        var words = ReferenceImporter.ReadVocabulary(vocabularyPath);

        string valPath = ReferenceHdf5Set.ValidationPath(trainPath);
        if (!File.Exists(valPath))
            throw new CoalaException($"the validation file is missing: the reference's layout keeps it beside the training file as {Path.GetFileName(valPath)}", valPath);
        var train = ReferenceHdf5Set.Open(trainPath);
        ReferenceHdf5Set? val = null;
        try
        {
            val = ReferenceHdf5Set.Open(valPath, clampAtZero: true);
            if (val.VocabularySize != train.VocabularySize)
                throw new CoalaException($"the validation file has {val.VocabularySize} tag columns, the training file {train.VocabularySize}", valPath);
            if (words.Length != train.VocabularySize)
                throw new CoalaException($"the vocabulary has {words.Length} words, the training file {train.VocabularySize} tag columns", vocabularyPath);
            return new ReferenceTrainingData(train, val, scaler, words);
        }
        catch
        {
            val?.Dispose();
            train.Dispose();
            throw;
        }
    }

    private static string Find(string what, string option, params string[] candidates) =>
        candidates.FirstOrDefault(File.Exists)
        ?? throw new CoalaException($"{what} was not found at {string.Join(" or ", candidates)}; give it with {option}");

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        Train.Dispose();
        Validation.Dispose();
    }
}
