;;; e2e.el --- drive Eglot against secreview-ls, headless  -*- lexical-binding: t; -*-

;; Run by tests/test_nvim_e2e.py as
;;   emacs --batch --no-init-file -l editors/emacs/test/e2e.el
;; Loads editors/emacs/secreview-eglot.el unchanged, opens a vulnerable file,
;; records what Eglot received (diagnostics, hover, code actions, the buffer
;; after the safe_load quick fix) as JSON in $SECREVIEW_E2E_OUT. Every wait is
;; bounded.

(require 'json)
(require 'cl-lib)
(require 'subr-x)

(defvar secreview-e2e--out (getenv "SECREVIEW_E2E_OUT"))
(defvar secreview-e2e--root (file-name-as-directory (getenv "SECREVIEW_E2E_ROOT")))
(defvar secreview-e2e--snippet (getenv "SECREVIEW_E2E_SNIPPET"))
(defvar secreview-e2e--wait (/ (string-to-number (or (getenv "SECREVIEW_E2E_WAIT_MS") "20000")) 1000.0))
(defvar secreview-e2e--result (list (cons 'errors nil)))
(defvar secreview-e2e--published (make-hash-table :test #'equal))

(defun secreview-e2e--set (key value)
  (setf (alist-get key secreview-e2e--result) value))

(defun secreview-e2e--fail (message)
  (push message (alist-get 'errors secreview-e2e--result)))

(defun secreview-e2e--write ()
  (let ((json-encoding-pretty-print nil)
        (errors (alist-get 'errors secreview-e2e--result)))
    (secreview-e2e--set 'errors (vconcat (reverse errors)))
    (with-temp-file secreview-e2e--out
      (insert (json-encode secreview-e2e--result)))))

(defun secreview-e2e--wait-until (predicate seconds)
  "Wait until PREDICATE is non-nil, at most SECONDS. Return its value."
  (let ((deadline (+ (float-time) seconds))
        value)
    (while (and (not (setq value (funcall predicate)))
                (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun secreview-e2e--plist-to-alist (value)
  "JSON-friendly copy of an Eglot plist VALUE (nested plists and vectors)."
  (cond
   ((and (consp value) (keywordp (car value)))
    (cl-loop for (k v) on value by #'cddr
             collect (cons (intern (substring (symbol-name k) 1))
                           (secreview-e2e--plist-to-alist v))))
   ((vectorp value) (vconcat (mapcar #'secreview-e2e--plist-to-alist value)))
   ((eq value :json-false) :json-false)
   (t value)))

(defun secreview-e2e--run ()
  (load secreview-e2e--snippet nil t)
  (require 'eglot)
  (require 'python)
  ;; Record the diagnostics exactly as the server published them.
  (advice-add 'eglot-handle-notification :before
              (lambda (_server method &rest args)
                (when (eq method 'textDocument/publishDiagnostics)
                  (puthash (plist-get args :uri) (plist-get args :diagnostics)
                           secreview-e2e--published))))
  (let* ((file (expand-file-name "app/loader.py" secreview-e2e--root))
         (buffer (find-file-noselect file)))
    (with-current-buffer buffer
      (secreview-e2e--set 'major_mode (symbol-name major-mode))
      ;; eglot-ensure connects after the next command; run that hook now.
      (run-hooks 'post-command-hook)
      (unless (secreview-e2e--wait-until (lambda () (eglot-current-server)) secreview-e2e--wait)
        (error "no Eglot server for %s" file))
      (let* ((server (eglot-current-server))
             (uri (eglot--path-to-uri file)))
        (secreview-e2e--set 'server_command
                            (vconcat (process-command (jsonrpc--process server))))
        (unless (secreview-e2e--wait-until
                 (lambda () (let ((d (gethash uri secreview-e2e--published)))
                              (and d (> (length d) 0))))
                 secreview-e2e--wait)
          (error "no diagnostics for %s" file))
        (let* ((diagnostics (gethash uri secreview-e2e--published))
               (target (cl-find-if (lambda (d)
                                     (= 1 (plist-get (plist-get (plist-get d :range) :start) :line)))
                                   diagnostics)))
          (secreview-e2e--set 'diagnostics (secreview-e2e--plist-to-alist diagnostics))
          (unless target
            (error "no diagnostic on line 2"))
          (let* ((start (plist-get (plist-get target :range) :start))
                 (hover (jsonrpc-request server :textDocument/hover
                                         (list :textDocument (list :uri uri) :position start)))
                 (actions (jsonrpc-request server :textDocument/codeAction
                                           (list :textDocument (list :uri uri)
                                                 :range (plist-get target :range)
                                                 :context (list :diagnostics (vector target))))))
            (secreview-e2e--set 'hover (secreview-e2e--plist-to-alist (plist-get hover :contents)))
            (secreview-e2e--set 'code_action_titles
                                (vconcat (mapcar (lambda (a) (plist-get a :title)) actions)))
            (let ((fix (cl-find-if (lambda (a)
                                     (and (plist-get a :edit)
                                          (string-match-p "safe_load" (plist-get a :title))))
                                   actions)))
              (if (not fix)
                  (secreview-e2e--fail "no code action with an edit mentioning safe_load")
                (eglot--apply-workspace-edit (plist-get fix :edit))
                (secreview-e2e--set 'text_after_fix
                                    (buffer-substring-no-properties (point-min) (point-max)))
                ;; Eglot sends the change; the server re-analyses and the finding goes.
                (eglot--signal-textDocument/didChange)
                (secreview-e2e--wait-until
                 (lambda () (< (length (gethash uri secreview-e2e--published)) (length diagnostics)))
                 secreview-e2e--wait)
                (secreview-e2e--set 'diagnostics_after_fix
                                    (secreview-e2e--plist-to-alist
                                     (gethash uri secreview-e2e--published)))))))
        (ignore-errors (eglot-shutdown server))))))

(condition-case err
    (secreview-e2e--run)
  (error (secreview-e2e--fail (format "%S" err))))
(secreview-e2e--write)
(kill-emacs 0)

;;; e2e.el ends here
